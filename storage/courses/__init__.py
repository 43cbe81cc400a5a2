"""storage/courses."""
