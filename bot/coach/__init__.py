"""bot/coach."""
