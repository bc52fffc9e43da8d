"""The reporter's rating of a closed report: the rules, then the form of
the private page and of the citizen's area over real HTTP, without
JavaScript, then the figures of the statistics page."""

from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports import engagement
from collective.civicreports.reports import satisfaction
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html

import requests
import transaction
import unittest


NEXT = "form.buttons.rating-next"
SEND = "form.buttons.rating-send"
COMMENT = "Tempi lunghi ma risolto, grazie Gervasio"


class RulesTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_only_a_closed_report_once(self):
        report = report_in(self.portal, "assigned")
        self.assertFalse(satisfaction.can_rate(report))
        with self.assertRaises(satisfaction.NotRateable):
            satisfaction.rate(report, 5)
        run_as(self.portal, "moderator", "close", report)
        satisfaction.rate(report, 2, ("unclear", "technical"), "Lento")
        self.assertEqual(satisfaction.rating_of(report)["rating"], 2)
        with self.assertRaises(satisfaction.NotRateable):
            satisfaction.rate(report, 5)
        self.assertEqual(satisfaction.rating_of(report)["rating"], 2)
        # Reopened and closed again: still the first rating, once.
        run_as(self.portal, "moderator", "reopen", report)
        self.assertFalse(satisfaction.can_rate(report))

    def test_the_values_are_checked(self):
        for rating in ("0", "6", "-1", "3.5", "", "五", "1e9", None):
            with self.assertRaises(BadInput) as raised:
                satisfaction.parse(rating, [], "")
            self.assertEqual(raised.exception.field, "rating", rating)
        # The follow-ups of the other band are not options of this one.
        with self.assertRaises(BadInput) as raised:
            satisfaction.parse("2", ["clear"], "")
        self.assertEqual(raised.exception.field, "followups")
        with self.assertRaises(BadInput):
            satisfaction.parse("5", ["unclear"], "")
        with self.assertRaises(BadInput) as raised:
            satisfaction.parse("5", [], "x" * 1001)
        self.assertEqual(raised.exception.field, "comment")
        self.assertEqual(
            satisfaction.parse(" 4 ", ["clear", "clear", "sure"], " Bene "),
            (4, ("clear", "sure"), "Bene"),
        )
        with self.assertRaises(ValueError):
            satisfaction.rate(report_in(self.portal, "closed"), 4, ("unclear",))


class RatingFormTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.report = report_in(self.portal, "closed")
        transaction.commit()
        self.url = self.folder.absolute_url() + "/@@track"
        self.params = {
            "n": self.report.getId(),
            "t": engagement.private_token(self.report),
        }
        self.session = requests.Session()
        # The form of the closed report has the token (the same for every
        # anonymous visitor), which the forged posts below reuse.
        form = self.page().cssselect("[data-element=feedback] form")[0]
        self.token = form.cssselect("input[name=_authenticator]")[0].get("value")

    def tearDown(self):
        self.session.close()

    def page(self):
        response = self.session.get(self.url, params=self.params, timeout=60)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text)

    def post(self, **data):
        response = self.session.post(
            self.url,
            data={**self.params, "_authenticator": self.token, **data},
            timeout=60,
        )
        transaction.begin()
        return response

    def test_stars_then_the_question_of_their_band_then_the_text(self):
        form = self.page().cssselect("[data-element=feedback] form")[0]
        stars = form.cssselect("input[name=rating][type=radio]")
        self.assertEqual([s.get("value") for s in stars], ["5", "4", "3", "2", "1"])
        self.assertEqual(len(form.cssselect("[data-element^=feedback-rate-]")), 5)
        # Each star has its label, the group its legend.
        for star in stars:
            self.assertTrue(form.cssselect(f"label[for={star.get('id')}]"))
        self.assertTrue(form.cssselect("fieldset legend"))

        step = html.fromstring(self.post(rating="2", **{NEXT: "1"}).text)
        group = step.cssselect("[data-element=feedback-rating-negative]")[0]
        self.assertEqual(
            [box.get("value") for box in group.cssselect("input[type=checkbox]")],
            list(satisfaction.NEGATIVE),
        )
        self.assertFalse(step.cssselect("[data-element=feedback-rating-positive]"))
        self.assertIsNone(satisfaction.rating_of(self.report))

        step = html.fromstring(self.post(rating="5", **{NEXT: "1"}).text)
        group = step.cssselect("[data-element=feedback-rating-positive]")[0]
        self.assertEqual(
            [box.get("value") for box in group.cssselect("input[type=checkbox]")],
            list(satisfaction.POSITIVE),
        )
        self.assertTrue(step.cssselect("textarea[data-element=feedback-input-text]"))

        response = self.post(
            rating="5",
            followups=["clear", "no-technical"],
            comment=COMMENT,
            **{SEND: "1"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your rating.", response.text)
        found = satisfaction.rating_of(self.report)
        self.assertEqual(found["rating"], 5)
        self.assertEqual(found["followups"], ("clear", "no-technical"))
        self.assertEqual(found["comment"], COMMENT)
        page = self.page()
        self.assertFalse(page.cssselect("[data-element=feedback] form"))
        self.assertIn(
            "Your rating:", page.cssselect(".civicreport-rated")[0].text_content()
        )
        # Rated: a second one changes nothing.
        response = self.post(rating="1", followups=["unclear"], **{SEND: "1"})
        self.assertIn("This report cannot be rated.", response.text)
        self.assertEqual(satisfaction.rating_of(self.report)["rating"], 5)

    def test_wrong_values_show_next_to_their_field(self):
        for rating in ("0", "6", "9" * 40, ""):
            page = html.fromstring(self.post(rating=rating, **{SEND: "1"}).text)
            error = page.cssselect("[id^=civicreport-rating-error-]")
            self.assertEqual(len(error), 1, rating)
            self.assertIn("Choose from 1 to 5 stars.", error[0].text_content())
            fieldset = page.cssselect("fieldset.rating")[0]
            self.assertEqual(fieldset.get("aria-describedby"), error[0].get("id"))
        page = html.fromstring(
            self.post(rating="2", followups=["clear"], **{SEND: "1"}).text
        )
        error = page.cssselect("[id^=civicreport-followups-error-]")[0]
        self.assertIn("This answer is not one of the options.", error.text_content())
        # The form stays at the second step, with the stars chosen.
        self.assertEqual(page.cssselect("input[name=rating]")[0].get("value"), "2")
        self.assertIsNone(satisfaction.rating_of(self.report))

    def test_refused_before_closing_and_without_the_token(self):
        open_report = report_in(self.portal, "assigned")
        transaction.commit()
        self.params["n"] = open_report.getId()
        self.params["t"] = engagement.private_token(open_report)
        self.assertFalse(self.page().cssselect("[data-element=feedback]"))
        response = self.post(rating="4", followups=["clear"], **{SEND: "1"})
        self.assertIn("This report cannot be rated.", response.text)
        self.assertIsNone(satisfaction.rating_of(open_report))
        # Another token: not found, nothing kept.
        token = self.token
        response = self.session.post(
            self.url,
            data={
                "n": self.report.getId(),
                "t": "not-the-token",
                "_authenticator": token,
                "rating": "4",
                SEND: "1",
            },
            timeout=60,
        )
        self.assertEqual(response.status_code, 404)
        transaction.begin()
        self.assertIsNone(satisfaction.rating_of(self.report))


class AreaRatingTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        create_other_citizen()
        self.report = submit(self.portal, user="citizen")
        for transition in ("approve", "assign", "close"):
            run_as(self.portal, "moderator", transition, self.report)
        transaction.commit()
        self.url = self.portal.absolute_url() + "/@@my-reports"

    def post(self, auth, **data):
        with requests.Session() as session:
            session.auth = auth
            page = html.fromstring(session.get(self.url, timeout=60).text)
            token = page.cssselect("#protect-script")[0].get("data-token")
            response = session.post(
                self.url, data={"_authenticator": token, **data}, timeout=60
            )
        transaction.begin()
        return response

    def test_by_the_reporter_only(self):
        data = {"n": self.report.getId(), "rating": "3", SEND: "1"}
        response = self.post(("other", "other-secret-1"), **data)
        self.assertIn("This report cannot be rated.", response.text)
        self.assertIsNone(satisfaction.rating_of(self.report))
        response = self.post(("citizen", "citizen"), **data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(satisfaction.rating_of(self.report)["rating"], 3)


class StatisticsTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        for stars, followups, comment in (
            (5, ("clear", "complete"), COMMENT),
            (4, ("clear",), ""),
            (1, ("technical",), ""),
        ):
            report = report_in(self.portal, "closed")
            satisfaction.rate(report, stars, followups, comment)
        report_in(self.portal, "closed")  # not rated
        transaction.commit()
        self.url = self.folder.absolute_url() + "/@@report-statistics"

    def test_counts_average_and_answers(self):
        response = requests.get(self.url, auth=("moderator", "moderator"), timeout=60)
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        self.assertEqual(page.cssselect("#stats-ratings-count")[0].text_content(), "3")
        self.assertEqual(
            page.cssselect("#stats-ratings-average")[0].text_content().split()[0],
            "3.3",
        )
        rows = {
            row.cssselect("th")[0].text_content(): row.cssselect("td")[0].text_content()
            for row in page.cssselect("#stats-rating-data tbody tr")
        }
        self.assertEqual(
            rows,
            {
                "5 out of 5 stars": "1",
                "4 out of 5 stars": "1",
                "3 out of 5 stars": "0",
                "2 out of 5 stars": "0",
                "1 out of 5 stars": "1",
            },
        )

        def answers(band):
            table = page.cssselect(f"#stats-rating-{band} tbody tr")
            return {
                row.cssselect("th")[0].text_content(): int(
                    row.cssselect("td")[0].text_content()
                )
                for row in table
            }

        self.assertEqual(answers("positive")["The instructions were clear"], 2)
        self.assertEqual(answers("positive")["The instructions were complete"], 1)
        self.assertEqual(answers("negative")["I had technical problems"], 1)
        self.assertEqual(sum(answers("negative").values()), 1)
        # The comments are for the moderators only.
        self.assertIn(COMMENT, response.text)

    def test_the_free_text_reaches_no_one_else(self):
        for auth in (None, ("citizen", "citizen"), ("roads", "roads")):
            response = requests.get(self.url, auth=auth, timeout=60)
            self.assertNotIn(COMMENT, response.text, auth)
            response = requests.get(
                self.folder.absolute_url() + "/@report-stats",
                auth=auth,
                headers={"Accept": "application/json"},
                timeout=60,
            )
            self.assertNotIn(COMMENT, response.text, auth)
