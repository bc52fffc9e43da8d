"""What a reporter is told they sent: one summary of a report, for the PDF
receipt and for the "received" mail, so that the two never disagree.

It holds the reporter's own data: only the reporter and the staff in
charge may be given it (the callers ask ``permissions`` or hold the
reporter's private token; the mail goes to the reporter's address only).
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.dates import received
from dataclasses import dataclass
from zope.i18n import translate
from zope.i18nmessageid import Message


# Written the same in every language of the site: an Italian office reads
# 05/03/2025 as the 5th of March, and so does the reporter.
DATE_FORMAT = "%d/%m/%Y %H:%M"

# What ``reports/submission.create_report`` may note on the report before
# adding it: the rule mails run on the add, before the photos and documents
# are added as children, so only this says how many are coming.
SUBMITTED_FILES = "_submitted_files"


@dataclass(frozen=True)
class Row:
    label: Message | str  # a question of the category is plain text
    value: str


@dataclass(frozen=True)
class Section:
    title: Message
    rows: tuple[Row, ...]


def format_date(value):
    return aware(value).strftime(DATE_FORMAT) if value is not None else ""


def file_counts(report):
    """(photos, documents) of the report: its children, or what the
    submission announced when they are not added yet; None when neither
    says (a report without children that announced nothing)."""
    photos = documents = 0
    for child in report.objectValues():
        if child.portal_type == "Image":
            photos += 1
        elif child.portal_type == "File":
            documents += 1
    if photos or documents:
        return photos, documents
    return getattr(report, SUBMITTED_FILES, None)


def _place(report):
    parts = []
    if report.address:
        parts.append(report.address)
    geolocation = getattr(report, "geolocation", None)
    if geolocation is not None and geolocation.latitude is not None:
        parts.append(f"{geolocation.latitude:.6f}, {geolocation.longitude:.6f}")
    return " · ".join(parts)


def _rows(*pairs):
    return tuple(Row(label, value) for label, value in pairs if value)


def summary(report):
    """The Sections of the report's summary, each with its non-empty rows."""
    category = get_category(report.category)
    photos, documents = file_counts(report) or (None, None)
    sections = [
        Section(
            _("Report"),
            _rows(
                (_("Tracking number"), report.tracking_number or ""),
                (_("Date"), format_date(received(report))),
                (
                    _("Category"),
                    category.title if category is not None else report.category,
                ),
                (_("Subject"), report.title or ""),
                (_("Description"), report.description or ""),
                (_("Place"), _place(report)),
                (_("Photos"), "" if photos is None else str(photos)),
                (_("Documents"), "" if documents is None else str(documents)),
            ),
        ),
        Section(
            _("Further details"),
            _rows(
                *(
                    (answer.get("question") or "", answer.get("answer") or "")
                    for answer in report.answers or ()
                )
            ),
        ),
        Section(
            _("Your data"),
            _rows(
                (_("Full name"), report.reporter_fullname or ""),
                (_("E-mail"), report.reporter_email or ""),
                (_("Phone"), report.reporter_phone or ""),
                (_("Fiscal code"), report.reporter_fiscal_code or ""),
            ),
        ),
    ]
    return [section for section in sections if section.rows]


def as_text(sections, language=None, context=None):
    """The summary as plain text, for a mail: one "label: value" a line."""

    def tr(text):
        return translate(text, target_language=language, context=context)

    blocks = []
    for section in sections:
        lines = [tr(section.title).upper()]
        lines.extend(f"{tr(row.label)}: {row.value}" for row in section.rows)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
