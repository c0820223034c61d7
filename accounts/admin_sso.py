"""Admin pages for sso (filled in by its owner)."""
