"""The PDF receipt of a report (``ricevuta``): what the reporter sent, with
its number and date, as the "received" mail has it (``reports/summary``).

Two routes, one document:

- ``<report>/@@ricevuta.pdf``, for whoever may read the report's reporter
  data (the logged-in reporter, the staff in charge);
- ``<report folder>/@@ricevuta.pdf?n=<number>&t=<token>``, for the
  reporter without an account, with the token of their private link (as
  ``@@track``): a report not public yet cannot be traversed anonymously.

Drawn with fpdf2. A Unicode font is embedded when one is installed
(Titillium Web, the Designers Italia typeface, else DejaVu Sans); else
the PDF core font is used, with the text reduced to Latin-1 (Italian
accents kept, typographic quotes and dashes made plain, the rest "?").
"""

from collective.civicreports import _
from collective.civicreports.permissions import may_see_reporter_data
from collective.civicreports.reports import engagement
from collective.civicreports.reports.dates import received
from collective.civicreports.reports.protocol import protocol
from collective.civicreports.reports.summary import format_date
from collective.civicreports.reports.summary import summary
from fpdf import FPDF
from pathlib import Path
from plone import api
from Products.Five.browser import BrowserView
from zExceptions import Forbidden
from zExceptions import NotFound
from zExceptions import Unauthorized
from zope.i18n import translate

import re
import unicodedata


# Looked for in this order; none is shipped with the add-on.
FONTS = (
    "/usr/share/fonts/truetype/titillium-web/TitilliumWeb-Regular.ttf",
    "/usr/share/fonts/truetype/titillium/TitilliumWeb-Regular.ttf",
    "/usr/local/share/fonts/TitilliumWeb-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
FAMILY = "receipt"
CORE_FAMILY = "helvetica"

PUBLIC_NOTE = _(
    "The report becomes public, without your personal data, once the "
    "municipality takes it in charge."
)

# What Latin-1 lacks but says the same in plain letters.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u20ac": "EUR",
        "\u2022": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_MARKS_RE = re.compile(r"[\u0300-\u036f]")


def latin1(text):
    """``text`` as the core fonts can write it: Latin-1 ("è" is in it),
    letters with other accents without them, anything else "?"."""
    text = unicodedata.normalize("NFC", text.translate(_PLAIN))
    if all(ord(char) < 256 for char in text):
        return text
    result = []
    for char in text:
        if ord(char) < 256:
            result.append(char)
            continue
        bare = _MARKS_RE.sub("", unicodedata.normalize("NFKD", char))
        result.append(bare if bare and all(ord(c) < 256 for c in bare) else "?")
    return "".join(result)


def font_file(candidates=FONTS):
    for name in candidates:
        if Path(name).is_file():
            return name
    return None


class Receipt:
    """The PDF of a report's receipt, in the language of ``request``."""

    def __init__(self, report, request, font=None):
        self.report = report
        self.request = request
        self.font = font

    def tr(self, message):
        return translate(message, context=self.request)

    def _text(self, text):
        return text if self.font else latin1(text)

    def _line(self, pdf, text, size=10, height=5.5, space=0.0):
        pdf.set_font(size=size)
        pdf.multi_cell(
            0, height, self._text(text), new_x="LMARGIN", new_y="NEXT", markdown=False
        )
        if space:
            pdf.ln(space)

    def render(self):
        report = self.report
        site = api.portal.get().Title() or ""
        number = report.tracking_number or report.getId()
        pdf = FPDF(format="A4")
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(True, margin=18)
        if self.font:
            pdf.add_font(FAMILY, "", self.font)
            pdf.set_font(FAMILY, size=10)
        else:
            pdf.set_font(CORE_FAMILY, size=10)
        title = self.tr(
            _("Receipt of the report ${number}", mapping={"number": number})
        )
        pdf.set_title(self._text(title))
        pdf.set_author(self._text(site))
        pdf.set_lang(api.portal.get_current_language() or "it")
        pdf.set_creation_date(received(report))
        pdf.add_page()
        self._line(pdf, site, size=16, height=8)
        self._line(pdf, title, size=13, height=7, space=2)
        self._line(
            pdf,
            self.tr(
                _(
                    "Received on ${date} with the tracking number ${number}.",
                    mapping={"date": format_date(received(report)), "number": number},
                )
            ),
            space=1,
        )
        found = protocol(report)
        if found is not None:
            registered = (
                self.tr(
                    _(
                        "Protocol number ${number} of ${date}.",
                        mapping={
                            "number": found.number,
                            "date": found.date.strftime("%d/%m/%Y"),
                        },
                    )
                )
                if found.date
                else self.tr(
                    _("Protocol number ${number}.", mapping={"number": found.number})
                )
            )
            self._line(pdf, registered, space=1)
        pdf.ln(3)
        for section in summary(report):
            self._line(pdf, self.tr(section.title).upper(), size=11, height=7)
            for row in section.rows:
                self._line(pdf, f"{self.tr(row.label)}: {row.value}", space=0.8)
            pdf.ln(3)
        self._line(pdf, self.tr(PUBLIC_NOTE), size=9, height=5, space=2)
        self._line(
            pdf,
            self.tr(_("Please quote the tracking number whenever you contact us.")),
            size=9,
            height=5,
        )
        return bytes(pdf.output())


def answer(request, report):
    """The receipt as a download, never kept by a cache on the way."""
    body = Receipt(report, request, font=font_file()).render()
    response = request.response
    number = re.sub(r"[^0-9A-Za-z-]", "", report.tracking_number or report.getId())
    response.setHeader("Content-Type", "application/pdf")
    response.setHeader(
        "Content-Disposition", f'attachment; filename="ricevuta-{number}.pdf"'
    )
    response.setHeader("Content-Length", str(len(body)))
    response.setHeader("Cache-Control", "no-store")
    response.setHeader("X-Robots-Tag", "noindex")
    return body


def receipt_url(report, token=None):
    """The address of the receipt: with the private token, the folder's
    route (for a reporter without an account), else the report's."""
    if token:
        folder = report.__parent__.absolute_url()
        return f"{folder}/@@ricevuta.pdf?n={report.getId()}&t={token}"
    return f"{report.absolute_url()}/@@ricevuta.pdf"


def private_receipt_url(report):
    """The receipt's address that the private link's holder may open."""
    return receipt_url(report, engagement.private_token(report))


class ReportReceiptView(BrowserView):
    """``<report>/@@ricevuta.pdf``."""

    def __call__(self):
        if not may_see_reporter_data(self.context):
            if api.user.is_anonymous():
                raise Unauthorized("ricevuta.pdf")
            raise Forbidden("ricevuta.pdf")
        return answer(self.request, self.context)


class TrackedReceiptView(BrowserView):
    """``<report folder>/@@ricevuta.pdf?n=<number>&t=<token>``."""

    def __call__(self):
        form = self.request.form
        report = engagement.tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        return answer(self.request, report)
