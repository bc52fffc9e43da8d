"""Service levels: the deadlines, the reminders of overdue reports, the
statistics and the spreadsheet export."""
