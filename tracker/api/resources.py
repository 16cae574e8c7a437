"""API routes (filled in by resource)."""
