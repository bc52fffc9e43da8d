"""The report categories, kept in the registry, and their extra questions."""
