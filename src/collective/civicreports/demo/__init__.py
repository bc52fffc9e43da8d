"""The demo site: offices, accounts, report folder and sample reports."""
