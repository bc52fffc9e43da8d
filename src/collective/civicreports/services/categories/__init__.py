"""categories endpoint."""
