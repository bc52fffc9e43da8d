"""How the pages' files reach the browser: compressed, and cached for
good where their address changes with their content."""
