"""bot/telegram/http."""
