"""bot/reminders."""
