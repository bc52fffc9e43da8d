"""The reports of a folder as a spreadsheet (CSV or XLSX), for the staff.

The header row holds the column ids below, not translated titles: they stay
the same in every language, so pivot tables and scripts built on an export
keep working on the next one.

CSV follows RFC 4180: comma separator, CRLF line ends, UTF-8 with a byte
order mark so that Excel reads the accents right. Excel set to Italian
expects ";" when it opens a CSV by double click: the XLSX download is the
one meant for Excel, the CSV for other programs.

The reporter's personal data (``PERSONAL_COLUMNS``) go out only to whoever
may read them: see ``personal_allowed`` and ``rows``.
"""

from collective.civicreports.behaviors.reporter import FIELDS as PERSONAL_FIELDS
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.text import printable
from collective.civicreports.permissions import may_see_reporter_data
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.reports.workflow import state_of
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from plone import api

import csv
import io
import re


COLUMNS = (
    "tracking_number",
    "created",
    "state",
    "category",
    "kind",
    "channel",
    "office",
    "address",
    "latitude",
    "longitude",
    "title",
    "description",
    "answer",
    "assigned",
    "closed",
)
PERSONAL_COLUMNS = PERSONAL_FIELDS

# A spreadsheet runs a cell starting with these as a formula: a citizen's
# title "=HYPERLINK(...)" must stay text (CSV/formula injection). Excel set
# to Italian splits a CSV on ";", and LibreOffice may be told to split on
# ",", tab or ";": a formula may start after any of them too, even inside a
# quoted cell ("Buca;=HYPERLINK(...)"), after spaces or quotes.
FORMULA_RE = re.compile(r"(^|[;,\t\n])([\s\"']*)(?=[=+\-@])")
MAX_WIDTH = 60


def personal_allowed(reports):
    """Whether the export has the personal columns at all: only when the
    current user may read the reporter's data of at least one report."""
    return any(may_see_reporter_data(report) for report in reports)


def _title(titles, value):
    """The translated title of a vocabulary value, or the value itself."""
    return api.portal.translate(titles[value]) if value in titles else value or ""


def _office_title(office, cache):
    # A few offices for thousands of rows: look each up once.
    if office not in cache:
        cache[office] = group_title(office)
    return cache[office]


def _public_row(report, offices):
    category = get_category(report.category)
    geolocation = getattr(report, "geolocation", None)
    state = state_of(report)
    return {
        "tracking_number": report.tracking_number or "",
        "created": iso(report.created()),
        "state": api.portal.translate(state_title(state)) if state else "",
        "category": category.title if category else report.category or "",
        "kind": _title(KIND_TITLES, category.kind) if category else "",
        "channel": _title(CHANNEL_TITLES, report.channel),
        "office": _office_title(getattr(report, "office", None), offices),
        "address": report.address or "",
        "latitude": geolocation.latitude if geolocation else "",
        "longitude": geolocation.longitude if geolocation else "",
        "title": report.title or "",
        "description": report.description or "",
        "answer": getattr(report, "answer", None) or "",
        # The first ones, as the service levels and the statistics count.
        "assigned": iso(first_time(report, ASSIGN)),
        "closed": iso(first_time(report, CLOSE)),
    }


def rows(reports, personal):
    """One dict a report, keyed by ``COLUMNS`` and, with ``personal``, also
    by ``PERSONAL_COLUMNS``: filled in only for the reports whose reporter
    data the current user may read, empty for the others."""
    offices = {}
    result = []
    for report in reports:
        row = _public_row(report, offices)
        if personal:
            allowed = may_see_reporter_data(report)
            for name in PERSONAL_COLUMNS:
                row[name] = (getattr(report, name, None) or "") if allowed else ""
        result.append(row)
    return result


def _safe_text(value):
    """Text a spreadsheet shows as typed, whatever separator it splits the
    line on; numbers pass as they are."""
    if not isinstance(value, str):
        return value
    return FORMULA_RE.sub(r"\1\2'", printable(value))


def to_csv(rows, columns):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe_text(row.get(name, "")) for name in columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows, columns, title="Reports"):
    """An .xlsx workbook: bold and frozen header, columns as wide as their
    content (up to ``MAX_WIDTH``). Text cells are stored as text, never as
    formulas; characters XML cannot hold are dropped."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(name) for name in columns]
    for number, row in enumerate(rows, start=2):
        for index, name in enumerate(columns):
            value = row.get(name, "")
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", printable(value))
            cell = sheet.cell(row=number, column=index + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=..." would be a formula otherwise
            longest = max((len(line) for line in str(value).splitlines()), default=0)
            widths[index] = max(widths[index], longest)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            width + 2, MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
