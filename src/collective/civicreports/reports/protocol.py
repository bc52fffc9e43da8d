"""The protocol number a municipality gives a report when it records it in
its register (protocollo informatico, DPR 445/2000).

By default the staff type it on the handling page (the report's
``protocol_number`` and ``protocol_date`` fields). A records-management
integration that assigns the numbers itself provides an adapter of the
report to ``IProtocolNumber``; every page asks ``protocol(report)``, so
the number shown is then the register's.
"""

from dataclasses import dataclass
from datetime import date
from zope.interface import Attribute
from zope.interface import implementer
from zope.interface import Interface
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


class IProtocolNumber(Interface):
    """The registration of a report in the municipality's register."""

    number = Attribute("The protocol number (text), or None if not recorded")
    date = Attribute("The date of the registration (a date), or None")


@implementer(IProtocolNumber)
class FieldProtocolNumber:
    """What the staff typed on the report."""

    def __init__(self, report):
        self.number = (getattr(report, "protocol_number", None) or "").strip() or None
        self.date = getattr(report, "protocol_date", None)


@dataclass(frozen=True)
class Protocol:
    number: str
    date: date | None


def protocol(report):
    """The report's Protocol, or None while it is not recorded. An adapter
    registered for the report wins over the fields: it is not registered
    by default, so that an integration registers its own without a
    conflict or an override."""
    found = IProtocolNumber(report, None) or FieldProtocolNumber(report)
    number = found.number
    if not number:
        return None
    return Protocol(str(number), found.date)


PROTOCOL_MAX = 64


def record(report, number, day=None):
    """The staff record the register's number and date on the report
    (empty: none)."""
    number = (number or "").strip() or None
    if number is not None and len(number) > PROTOCOL_MAX:
        raise ValueError(number)
    report.protocol_number = number
    report.protocol_date = day if number else None
    # The catalog and the subscribers follow the event.
    modified(report, Attributes(None, "protocol_number", "protocol_date"))
