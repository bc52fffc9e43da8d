"""Statistics of a report folder and its CSV/XLSX export: the figures, the
page and the downloads over HTTP, and who gets the reporter's data."""

from collective.civicreports.browser.statistics import bar_chart
from collective.civicreports.browser.statistics import column_chart
from collective.civicreports.sla import export
from collective.civicreports.sla import stats
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from DateTime import DateTime
from datetime import datetime
from lxml import html
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import csv
import io
import openpyxl
import re
import requests
import transaction
import unittest


MODERATE = "collective.civicreports: Moderate reports"


def utc(text):
    return DateTime(f"{text} UTC")


def set_times(report, created, **actions):
    """Date a report's creation and the first transition of each ``action``
    (e.g. assign="2026/01/10 20:00"), so that durations are exact."""
    report.creation_date = utc(created)
    for entry in report.workflow_history["civicreport_workflow"]:
        action = entry.get("action")
        if action is None:
            entry["time"] = utc(created)
        elif action in actions:
            entry["time"] = utc(actions.pop(action))
    assert not actions, f"no such transition: {actions}"
    report.reindexObject()


def make_reports(portal):
    """Five reports of known dates: see the expected figures in the tests."""
    closed_early = submit(portal, title="Buca chiusa presto", category="roads")
    closed_late = submit(portal, title="Cassonetto chiuso tardi", category="waste")
    assigned = submit(portal, title="Buca assegnata", category="roads")
    waiting = submit(portal, title="Buca in attesa", category="roads")
    rejected = submit(
        portal, user="moderator", title="Rifiuti respinta", category="waste"
    )
    rejected.channel = "phone"
    for report in (closed_early, closed_late, assigned):
        for transition in ("approve", "assign"):
            run_as(portal, "moderator", transition, report)
    for report in (closed_early, closed_late):
        run_as(portal, "moderator", "close", report, comment="Risolto.")
    run_as(portal, "moderator", "reject", rejected)
    set_times(
        closed_early,
        "2026/01/10 10:00",
        approve="2026/01/10 12:00",
        assign="2026/01/10 20:00",  # 10 hours
        close="2026/01/15 10:00",  # 5 days, within 30
    )
    set_times(
        closed_late,
        "2026/01/20 10:00",
        approve="2026/01/20 11:00",
        assign="2026/01/21 16:00",  # 30 hours
        close="2026/03/01 10:00",  # 40 days: late
    )
    set_times(
        assigned,
        "2026/03/05 10:00",
        approve="2026/03/05 11:00",
        assign="2026/03/05 14:00",  # 4 hours
    )
    set_times(waiting, "2026/03/01 10:00")  # assignment due by 03/03
    set_times(rejected, "2026/03/02 10:00", reject="2026/03/02 11:00")
    return {
        "closed_early": closed_early,
        "closed_late": closed_late,
        "assigned": assigned,
        "waiting": waiting,
        "rejected": rejected,
    }


NOW = datetime(2026, 3, 10, 12, 0)


class ComputeTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.reports = make_reports(self.portal)

    def test_counts(self):
        result = stats.compute(self.reports.values(), now=NOW)
        self.assertEqual(result["total"], 5)
        self.assertEqual(result["by_category"], {"roads": 3, "waste": 2})
        self.assertEqual(
            result["by_state"],
            {"closed": 2, "assigned": 1, "rejected": 1, "submitted": 1},
        )
        self.assertEqual(result["by_channel"], {"web": 4, "phone": 1})
        # February had no report, and still has its column.
        self.assertEqual(
            list(result["by_month"].items()),
            [("2026-01", 2), ("2026-02", 0), ("2026-03", 3)],
        )

    def test_times(self):
        result = stats.compute(self.reports.values(), now=NOW)
        self.assertAlmostEqual(result["median_hours_to_assignment"], 10)  # 4 10 30
        self.assertAlmostEqual(result["median_days_to_closing"], 22.5)  # 5 40
        self.assertEqual(result["closed_within_deadline"], 0.5)
        # Only the report waiting since 1 March is late (48 hours to assign);
        # the rejected one owes nothing.
        self.assertEqual(result["overdue_now"], 1)
        early = stats.compute(self.reports.values(), now=datetime(2026, 3, 2))
        self.assertEqual(early["overdue_now"], 0)

    def test_the_catalog_says_the_same(self):
        """The page counts from the catalog's metadata: the same figures as
        from the reports themselves, also after a reopening."""
        run_as(self.portal, "moderator", "reopen", self.reports["closed_early"])
        run_as(self.portal, "moderator", "close", self.reports["closed_early"])
        for now in (NOW, datetime(2026, 3, 2)):
            self.assertEqual(
                stats.compute(stats.filter_brains(self.folder), now=now),
                stats.compute(self.reports.values(), now=now),
            )

    def test_first_transition_counts(self):
        report = self.reports["closed_early"]
        run_as(self.portal, "moderator", "reopen", report)
        run_as(self.portal, "moderator", "close", report)
        result = stats.compute([report], now=NOW)
        self.assertAlmostEqual(result["median_days_to_closing"], 5)

    def test_nothing_to_measure(self):
        result = stats.compute([], now=NOW)
        self.assertEqual(result["total"], 0)
        self.assertEqual(result["by_month"], {})
        self.assertIsNone(result["median_hours_to_assignment"])
        self.assertIsNone(result["median_days_to_closing"])
        self.assertIsNone(result["closed_within_deadline"])
        waiting = stats.compute([self.reports["waiting"]], now=NOW)
        self.assertIsNone(waiting["median_hours_to_assignment"])
        self.assertIsNone(waiting["closed_within_deadline"])

    def test_filter_reports(self):
        def numbers(**filters):
            found = stats.filter_reports(self.folder, **filters)
            return {report.title for report in found}

        everything = {report.title for report in self.reports.values()}
        # Unrestricted: the staff count reports in every state.
        login_as(self.portal, None)
        self.assertEqual(numbers(), everything)
        self.assertEqual(
            numbers(category="waste"),
            {"Cassonetto chiuso tardi", "Rifiuti respinta"},
        )
        self.assertEqual(
            numbers(start="2026-03-01"),
            {"Buca assegnata", "Buca in attesa", "Rifiuti respinta"},
        )
        self.assertEqual(
            numbers(start="2026-01-01", end="2026-01-10"), {"Buca chiusa presto"}
        )
        self.assertEqual(numbers(start="2026-02-01", end="2026-02-28"), set())
        self.assertEqual(numbers(start="not a date"), everything)


class ExportFunctionsTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.reports = make_reports(self.portal)
        self.all = stats.filter_reports(self.folder)

    def test_rows(self):
        rows = {row["title"]: row for row in export.rows(self.all, personal=False)}
        row = rows["Buca chiusa presto"]
        self.assertEqual(set(row), set(export.COLUMNS))
        report = self.reports["closed_early"]
        self.assertEqual(row["tracking_number"], report.tracking_number)
        self.assertEqual(row["created"], utc("2026/01/10 10:00").ISO8601())
        self.assertEqual(row["state"], "Closed")
        self.assertEqual(row["category"], "Dissesto stradale")
        self.assertEqual(row["kind"], "Malfunction")
        self.assertEqual(row["channel"], "Web")
        self.assertEqual(row["office"], "Ufficio Strade")
        self.assertEqual(row["address"], "Via Roma 12")
        self.assertEqual((row["latitude"], row["longitude"]), (39.22, 9.11))
        self.assertEqual(row["answer"], "Risolto.")
        self.assertEqual(row["assigned"], utc("2026/01/10 20:00").ISO8601())
        self.assertEqual(row["closed"], utc("2026/01/15 10:00").ISO8601())
        waiting = rows["Buca in attesa"]
        self.assertEqual((waiting["assigned"], waiting["closed"]), ("", ""))
        self.assertEqual(rows["Rifiuti respinta"]["channel"], "Phone")

    def test_personal_values_only_where_allowed(self):
        login_as(self.portal, "roads")
        self.assertTrue(export.personal_allowed(self.all))
        rows = {row["title"]: row for row in export.rows(self.all, personal=True)}
        self.assertEqual(rows["Buca in attesa"]["reporter_email"], PERSONAL["email"])
        self.assertEqual(
            rows["Buca in attesa"]["reporter_fiscal_code"], PERSONAL["fiscal_code"]
        )
        # Another office's report: the columns are there, the values are not.
        for name in export.PERSONAL_COLUMNS:
            self.assertEqual(rows["Cassonetto chiuso tardi"][name], "")

    def test_no_personal_data_without_the_permission(self):
        api.user.create(
            username="reader", email="reader@example.org", password="reader-secret-1"
        )
        self.folder.manage_setLocalRoles("reader", ["Reader"])
        login_as(self.portal, "reader")
        self.assertFalse(export.personal_allowed(self.all))
        login_as(self.portal, "moderator")
        self.assertTrue(export.personal_allowed(self.all))
        rows = export.rows(self.all, personal=False)
        self.assertFalse(set(export.PERSONAL_COLUMNS) & set(rows[0]))

    def test_csv_and_xlsx_keep_text_as_text(self):
        rows = [
            {"title": '=HYPERLINK("http://evil")', "longitude": -9.5},
            {"title": "Città\x0b vecchia", "longitude": ""},
            {"title": 'Buca;=HYPERLINK("http://evil");, @SUM(1)', "longitude": ""},
        ]
        data = export.to_csv(rows, ("title", "longitude"))
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        self.assertEqual(parsed[0], ["title", "longitude"])
        self.assertEqual(parsed[1], ['\'=HYPERLINK("http://evil")', "-9.5"])
        # No control character: XML and many CSV readers refuse them.
        self.assertEqual(parsed[2][0], "Città vecchia")
        # Excel set to Italian splits on ";": no piece may start a formula.
        for delimiter in (",", ";"):
            text = data.decode("utf-8-sig")
            for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                for cell in row:
                    if re.fullmatch(r"-?[0-9.]+", cell):
                        continue  # a number is no formula
                    self.assertFalse(
                        cell.lstrip(' "').startswith(("=", "+", "-", "@")),
                        f"{cell!r} starts a formula when split on {delimiter!r}",
                    )
        sheet = openpyxl.load_workbook(
            io.BytesIO(export.to_xlsx(rows, ("title", "longitude")))
        ).active
        self.assertEqual(sheet["A2"].value, '=HYPERLINK("http://evil")')
        self.assertEqual(sheet["A2"].data_type, "s")
        self.assertEqual(sheet["B2"].value, -9.5)
        self.assertEqual(sheet["A3"].value, "Città vecchia")
        self.assertTrue(sheet["A1"].font.bold)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertGreater(sheet.column_dimensions["A"].width, 20)


class ChartsTest(unittest.TestCase):
    def test_bars_scale_to_the_largest_value(self):
        chart = bar_chart([("Strade", 4), ("Rifiuti", 2), ("Verde", 0)])
        widths = [float(item["width"]) for item in chart["bars"]]
        self.assertEqual(widths[1] * 2, widths[0])
        self.assertEqual(widths[2], 0)
        self.assertEqual(chart["height"], 8 + 3 * 28)
        long = bar_chart([("x" * 50, 1)])["bars"][0]
        self.assertEqual(len(long["short"]), 30)
        self.assertEqual(long["label"], "x" * 50)

    def test_columns_label_at_most_twelve_months(self):
        pairs = [(f"2025-{month:02d}", month) for month in range(1, 13)]
        pairs += [(f"2026-{month:02d}", 1) for month in range(1, 13)]
        items = column_chart(pairs)["bars"]
        self.assertEqual(sum(item["show_label"] for item in items), 12)
        tallest = max(items, key=lambda item: float(item["height"]))
        self.assertEqual(tallest["label"], "2025-12")


class StatisticsPagesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.reports = make_reports(self.portal)
        transaction.commit()
        self.url = self.folder.absolute_url()

    def get(self, view, auth=("moderator", "moderator"), **params):
        response = requests.get(
            f"{self.url}/@@{view}",
            params=params,
            auth=auth,
            timeout=60,
            allow_redirects=False,
        )
        transaction.begin()
        return response

    def figure(self, page, name):
        return page.xpath(f"//dd[@id='stats-{name}']/text()")[0].strip()

    def data_table(self, page, chart):
        rows = page.xpath(f"//table[@id='stats-{chart}-data']/tbody/tr")
        return {row.xpath("th")[0].text: int(row.xpath("td")[0].text) for row in rows}

    def test_page(self):
        response = self.get("report-statistics")
        self.assertEqual(response.status_code, 200)
        text = response.text
        page = html.fromstring(text)
        self.assertIn("<svg", text)
        self.assertEqual(len(page.xpath("//svg[@role='img']")), 5)
        self.assertEqual(len(page.xpath("//svg/title")), 5)
        self.assertEqual(self.figure(page, "total"), "5")
        self.assertEqual(self.figure(page, "hours-to-assignment"), "10")
        self.assertEqual(self.figure(page, "days-to-closing"), "22.5")
        self.assertEqual(self.figure(page, "within-deadline"), "50")
        self.assertEqual(
            self.data_table(page, "category"),
            {"Dissesto stradale": 3, "Rifiuti": 2},
        )
        self.assertEqual(
            self.data_table(page, "month"), {"2026-01": 2, "2026-02": 0, "2026-03": 3}
        )
        self.assertEqual(self.data_table(page, "channel"), {"Web": 4, "Phone": 1})
        # Closed through the workflow alone: how they ended was not said.
        self.assertEqual(self.data_table(page, "resolution"), {"Not recorded": 2})
        self.assertEqual(
            page.xpath("//table[@id='stats-state-data']/caption/text()"),
            ["Reports by status"],
        )
        links = page.xpath("//a[contains(@href, '@@report-export')]/@href")
        self.assertEqual(len(links), 2)
        for value in PERSONAL.values():
            self.assertNotIn(value, text)

    def test_filters(self):
        page = html.fromstring(self.get("report-statistics", category="waste").text)
        self.assertEqual(self.figure(page, "total"), "2")
        self.assertEqual(self.data_table(page, "category"), {"Rifiuti": 2})
        page = html.fromstring(
            self.get("report-statistics", start="2026-03-01", end="2026-03-31").text
        )
        self.assertEqual(self.figure(page, "total"), "3")
        self.assertEqual(self.data_table(page, "month"), {"2026-03": 3})
        selected = page.xpath("//input[@name='start']/@value")
        self.assertEqual(selected, ["2026-03-01"])
        links = page.xpath("//a[contains(@href, '@@report-export')]/@href")
        self.assertTrue(all("start=2026-03-01" in link for link in links))

    def test_refused(self):
        for auth in (None, ("roads", "roads"), ("citizen", "citizen")):
            for view in ("report-statistics", "report-export"):
                response = self.get(view, auth=auth, format="csv")
                self.assertIn(response.status_code, (302, 401, 403), (auth, view))
                self.assertNotIn("stats-total", response.text)
                self.assertNotIn("tracking_number", response.text)
                for report in self.reports.values():
                    self.assertNotIn(report.tracking_number, response.text)

    def parse_csv(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertRegex(
            response.headers["Content-Disposition"],
            r'^attachment; filename="segnalazioni-\d{8}\.csv"$',
        )
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    def test_csv_export(self):
        rows = self.parse_csv(self.get("report-export", format="csv"))
        self.assertEqual(
            [row["tracking_number"] for row in rows],
            [
                self.reports[name].tracking_number
                for name in ("closed_early", "closed_late", "waiting", "rejected")
            ]
            + [self.reports["assigned"].tracking_number],
        )
        self.assertEqual(list(rows[0]), [*export.COLUMNS, *export.PERSONAL_COLUMNS])
        for row in rows:
            self.assertEqual(row["reporter_fullname"], PERSONAL["fullname"])
            self.assertEqual(row["reporter_phone"], PERSONAL["phone"])
        filtered = self.parse_csv(self.get("report-export", category="waste"))
        self.assertEqual(
            {row["title"] for row in filtered},
            {"Cassonetto chiuso tardi", "Rifiuti respinta"},
        )

    def test_xlsx_export_has_the_same_rows(self):
        auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        expected = self.parse_csv(self.get("report-export", auth=auth))
        response = self.get("report-export", auth=auth, format="xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertRegex(
            response.headers["Content-Disposition"],
            r'^attachment; filename="segnalazioni-\d{8}\.xlsx"$',
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        header = list(values[0])
        self.assertEqual(header, list(expected[0]))
        rows = [
            {
                name: "" if value is None else str(value)
                for name, value in zip(header, row, strict=True)
            }
            for row in values[1:]
        ]
        self.assertEqual(rows, expected)
        self.assertEqual(rows[0]["reporter_email"], PERSONAL["email"])

    def test_export_without_reporter_data_permission(self):
        """Whoever may moderate but not read the reporter's data (here a
        Reader given the moderate permission) gets no personal columns."""
        api.user.create(
            username="reader", email="reader@example.org", password="reader-secret-1"
        )
        self.folder.manage_setLocalRoles("reader", ["Reader"])
        roles = [
            item["name"]
            for item in self.folder.rolesOfPermission(MODERATE)
            if item["selected"]
        ]
        self.folder.manage_permission(MODERATE, [*roles, "Reader"], acquire=True)
        transaction.commit()
        auth = ("reader", "reader-secret-1")
        rows = self.parse_csv(self.get("report-export", auth=auth))
        self.assertEqual(len(rows), 5)
        self.assertEqual(list(rows[0]), list(export.COLUMNS))
        sheet = openpyxl.load_workbook(
            io.BytesIO(self.get("report-export", auth=auth, format="xlsx").content)
        ).active
        self.assertEqual([cell.value for cell in sheet[1]], list(export.COLUMNS))
        self.assertNotIn(PERSONAL["fullname"], str(list(sheet.values)))
