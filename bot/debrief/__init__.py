"""bot/debrief."""
