"""Admin pages for records (filled in by its owner)."""
