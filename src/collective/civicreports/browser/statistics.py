"""The staff's statistics of a report folder and its spreadsheet export.

Charts are inline SVG drawn here, on the server: no JavaScript library to
load or keep up to date, they print, and each one comes with a table of the
same figures for screen readers and for copying. The statistics page shows
counts only, never personal data; the export adds the reporter's data only
where the user may read it (``export.personal_allowed``).
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports import satisfaction
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.sla import export
from collective.civicreports.sla.stats import compute
from collective.civicreports.sla.stats import filter_brains
from collective.civicreports.sla.stats import filter_reports
from collective.civicreports.sla.stats import rated_reports
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import RESOLUTION_TITLES
from datetime import datetime
from plone import api
from Products.Five.browser import BrowserView
from urllib.parse import urlencode

import math


CHART_WIDTH = 640
BAR_LABEL_WIDTH = 220  # room for the labels, left of the bars
BAR_VALUE_WIDTH = 50  # room for the number, right of the longest bar
BAR_ROW = 28
BAR_HEIGHT = 18
COLUMN_HEIGHT = 260
COLUMN_TOP = 20  # room for the numbers above the columns
COLUMN_BOTTOM = 36  # room for the months below
MAX_SLOT = 80  # a few months make columns, not blocks
MAX_LABELS = 12  # month labels under a column chart
LABEL_CHARS = 30

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _short(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _n(value):
    """A coordinate for an SVG attribute."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(pairs):
    """Horizontal bars for (label, value) pairs: the geometry of each item,
    in the ``CHART_WIDTH`` wide user space of the chart."""
    top = max((value for _label, value in pairs), default=0) or 1
    area = CHART_WIDTH - BAR_LABEL_WIDTH - BAR_VALUE_WIDTH
    items = []
    for index, (label, value) in enumerate(pairs):
        y = 4 + index * BAR_ROW
        width = value / top * area
        text_y = _n(y + BAR_HEIGHT * 0.75)
        items.append(
            {
                "label": label,
                "short": _short(label),
                "show_label": True,
                "value": value,
                "x": _n(BAR_LABEL_WIDTH),
                "y": _n(y),
                "width": _n(width),
                "height": _n(BAR_HEIGHT),
                "label_x": _n(BAR_LABEL_WIDTH - 8),
                "label_y": text_y,
                "label_anchor": "end",
                "value_x": _n(BAR_LABEL_WIDTH + width + 6),
                "value_y": text_y,
                "value_anchor": "start",
            }
        )
    return {"width": CHART_WIDTH, "height": 8 + len(pairs) * BAR_ROW, "bars": items}


def column_chart(pairs):
    """Vertical columns for (label, value) pairs, in order; at most
    ``MAX_LABELS`` labels under them, evenly spread, so they never overlap."""
    top = max((value for _label, value in pairs), default=0) or 1
    slot = min((CHART_WIDTH - 16) / max(len(pairs), 1), MAX_SLOT)
    area = COLUMN_HEIGHT - COLUMN_TOP - COLUMN_BOTTOM
    every = math.ceil(len(pairs) / MAX_LABELS) or 1
    items = []
    for index, (label, value) in enumerate(pairs):
        height = value / top * area
        x = 8 + index * slot
        center = _n(x + slot / 2)
        y = COLUMN_HEIGHT - COLUMN_BOTTOM - height
        items.append(
            {
                "label": label,
                "short": label,
                "show_label": index % every == 0,
                "value": value,
                "x": _n(x + slot * 0.15),
                "y": _n(y),
                "width": _n(slot * 0.7),
                "height": _n(height),
                "label_x": center,
                "label_y": _n(COLUMN_HEIGHT - COLUMN_BOTTOM + 18),
                "label_anchor": "middle",
                "value_x": center,
                "value_y": _n(y - 5),
                "value_anchor": "middle",
            }
        )
    return {"width": CHART_WIDTH, "height": COLUMN_HEIGHT, "bars": items}


class ReportFilters(BrowserView):
    """The filters of the request, checked: bad values are ignored."""

    def filters(self):
        form = self.request.form
        values = {}
        for name in ("start", "end"):
            try:
                value = params.iso_date(form, name)
            except BadInput:
                continue
            if value is not None:
                values[name] = value.isoformat()
        category = form.get("category")
        if isinstance(category, str) and get_category(category.strip()):
            values["category"] = category.strip()
        return values

    def reports(self):
        return filter_reports(self.context, **self.filters())

    def brains(self):
        return filter_brains(self.context, **self.filters())


class StatisticsView(ReportFilters):
    """``<report folder>/@@report-statistics``."""

    def __call__(self):
        brains = self.brains()
        self.stats = compute(brains)
        self.ratings = satisfaction.results(rated_reports(brains))
        return self.index()

    def rating_figures(self):
        """The reporters' ratings (``reports/satisfaction``): counts only."""
        ratings = self.ratings
        average = ratings["average"]
        return {
            "count": ratings["count"],
            "average": None if average is None else self._number(average),
            "chart": dict(
                bar_chart(
                    [
                        (
                            self.translate(
                                _("${count} out of 5 stars", mapping={"count": star})
                            ),
                            count,
                        )
                        for star, count in reversed(ratings["by_star"].items())
                    ]
                ),
                id="rating",
                title=_("Ratings by stars"),
                header=_("Stars"),
            ),
            "followups": [
                {
                    "id": band,
                    "question": question,
                    "answers": [
                        {"title": options[key], "count": count}
                        for key, count in ratings[band].items()
                    ],
                }
                for band, question, options in (
                    ("negative", satisfaction.NEGATIVE_QUESTION, satisfaction.NEGATIVE),
                    ("positive", satisfaction.POSITIVE_QUESTION, satisfaction.POSITIVE),
                )
            ],
        }

    def rating_comments(self):
        """The free texts: the reporters' words, for the moderators only
        (the page's permission), never in a public figure."""
        if not may_moderate(self.context):
            return []
        return self.ratings["comments"]

    def categories(self):
        # Inactive ones too: their old reports are still counted.
        return [{"id": key, "title": cat.title or key} for key, cat in all_categories()]

    def export_url(self, fmt):
        query = urlencode(dict(self.filters(), format=fmt))
        return f"{self.context.absolute_url()}/@@report-export?{query}"

    def translate(self, msgid):
        return api.portal.translate(msgid)

    def _number(self, value, digits=1):
        """In the language of the page (22,5 in Italian); no ".0"."""
        value = round(value, digits)
        if value == int(value):
            digits = 0
        pattern = f"#,##0.{'#' * digits}" if digits else "#,##0"
        try:
            formatter = self.request.locale.numbers.getFormatter("decimal")
            return formatter.format(value, pattern)
        except Exception:
            return str(value)

    def figures(self):
        stats = self.stats
        missing = _("not available")
        hours = stats["median_hours_to_assignment"]
        days = stats["median_days_to_closing"]
        share = stats["closed_within_deadline"]
        return [
            {"id": "total", "label": _("Reports"), "value": stats["total"], "unit": ""},
            {
                "id": "hours-to-assignment",
                "label": _("Median time to assignment"),
                "value": missing if hours is None else self._number(hours),
                "unit": "" if hours is None else _("hours"),
            },
            {
                "id": "days-to-closing",
                "label": _("Median time to closing"),
                "value": missing if days is None else self._number(days),
                "unit": "" if days is None else _("days"),
            },
            {
                "id": "within-deadline",
                "label": _("Closed within the deadline"),
                "value": missing if share is None else self._number(share * 100, 0),
                "unit": "" if share is None else "%",
            },
            {
                "id": "overdue",
                "label": _("Open and overdue now"),
                "value": stats["overdue_now"],
                "unit": "",
            },
        ]

    def _labelled(self, counts, title):
        return [(self.translate(title(key)), value) for key, value in counts.items()]

    def charts(self):
        stats = self.stats

        def category(key):
            found = get_category(key)
            return found.title if found is not None and found.title else key

        specs = [
            (
                "category",
                _("Reports by category"),
                _("Category"),
                bar_chart(self._labelled(stats["by_category"], category)),
            ),
            (
                "state",
                _("Reports by status"),
                _("Status"),
                bar_chart(self._labelled(stats["by_state"], state_title)),
            ),
            (
                "channel",
                _("Reports by channel"),
                _("Channel"),
                bar_chart(
                    self._labelled(
                        stats["by_channel"], lambda key: CHANNEL_TITLES.get(key, key)
                    )
                ),
            ),
            (
                "resolution",
                _("Closed reports by resolution"),
                _("Resolution"),
                bar_chart(
                    self._labelled(
                        stats["by_resolution"],
                        lambda key: RESOLUTION_TITLES.get(key, _("Not recorded")),
                    )
                ),
            ),
            (
                "month",
                _("Reports by month"),
                _("Month"),
                column_chart(list(stats["by_month"].items())),
            ),
        ]
        return [
            dict(chart, id=chart_id, title=title, header=header)
            for chart_id, title, header, chart in specs
        ]


class ExportView(ReportFilters):
    """``<report folder>/@@report-export?format=csv|xlsx&start=&end=&category=``."""

    def __call__(self):
        reports = self.reports()
        personal = export.personal_allowed(reports)
        columns = export.COLUMNS + (export.PERSONAL_COLUMNS if personal else ())
        rows = export.rows(reports, personal)
        name = f"segnalazioni-{datetime.now():%Y%m%d}"
        response = self.request.response
        if self.request.form.get("format") == "xlsx":
            title = api.portal.translate(_("Reports"))
            body = export.to_xlsx(rows, columns, title=title)
            response.setHeader("Content-Type", XLSX)
            name += ".xlsx"
        else:
            body = export.to_csv(rows, columns)
            response.setHeader("Content-Type", "text/csv; charset=utf-8")
            name += ".csv"
        response.setHeader("Content-Disposition", f'attachment; filename="{name}"')
        # It may hold personal data: no copy in any cache on the way.
        response.setHeader("Cache-Control", "no-store")
        return body
