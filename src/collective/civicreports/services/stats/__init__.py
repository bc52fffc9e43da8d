"""stats endpoint."""
