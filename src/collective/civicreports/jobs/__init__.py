"""The daily job, ``civicreports-daily``."""
