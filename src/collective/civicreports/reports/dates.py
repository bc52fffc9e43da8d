"""Dates as the APIs give them."""

from datetime import datetime


def iso(value):
    """ISO 8601 with the time zone, or "" for None: a DateTime, or a naive
    datetime in the server's zone (as the service levels compute them).
    Dates without a zone are in the server's zone: say which one."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.astimezone()
        return value.isoformat(timespec="seconds")
    if value.timezoneNaive():
        value = value.toZone(value.localZone())
    return value.ISO8601()


def aware(value):
    """A time zone aware datetime of a DateTime, or of a datetime (a naive
    one is taken in the server's zone); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.astimezone()
    return value.asdatetime()


def received(report):
    """When the municipality received the report (time zone aware): an
    operator records when a phone call or a letter came in, else its
    creation."""
    return aware(getattr(report, "received", None) or report.created())
