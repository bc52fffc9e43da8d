"""search endpoint."""
