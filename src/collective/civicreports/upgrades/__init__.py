# Importing the package makes the old class homes findable, before the
# database loads anything (the upgrade steps are registered at startup).
from collective.civicreports.upgrades import aliases  # noqa: F401
