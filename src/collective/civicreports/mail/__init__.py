"""The mails: the ``${report_*}`` substitutions of the content rules, sending
one mail, and the start of the mail queue."""
