"""Admin pages for tokens (filled in by its owner)."""
