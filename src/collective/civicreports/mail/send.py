"""Sending the add-on's own mails (those that are not content rules): one
message per recipient, so that nobody sees anybody else's address."""

from plone import api


def send(recipients, subject, body):
    """Mail ``body`` to each address of ``recipients`` (one, or a list)."""
    if isinstance(recipients, str):
        recipients = [recipients]
    for recipient in recipients:
        api.portal.send_email(recipient=recipient, subject=subject, body=body)
