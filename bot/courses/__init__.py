"""bot/courses."""
