"""After closing, over real HTTP and real SMTP: the daily job's "was it
fixed?" mail to the reporter and each follower, its "yes" and "no, still a
problem" links, and "still a problem" from the reporter's private page."""

from collective.civicreports.reports import engagement
from collective.civicreports.reports import followup
from collective.civicreports.reports.moderation import is_published
from collective.civicreports.reports.workflow import history
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import subject
from collective.civicreports.tests.test_browser import BrowserCase
from collective.civicreports.tests.test_browser import photo_file
from datetime import timedelta
from lxml import html
from plone import api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

import io
import re
import requests
import transaction
import unittest


FAN = "fan@example.org"
PENDING = "curioso@example.org"
MODERATORS = "urp@comune.example.it"
ROADS = "strade@comune.example.it"
COMMENT = "La buca è ancora lì, anzi è più grande."


def jpeg():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def closed_report(portal):
    """A closed report of PERSONAL's, with a confirmed follower and an
    address still to confirm (which is asked nothing)."""
    login_as(portal, "admin")
    report = report_in(portal, "closed")
    engagement.follow(report, FAN)
    engagement.ask_to_follow(report, PENDING)
    transaction.commit()
    return report


def ask(portal, report, days):
    """The daily job's step, ``days`` after the report's closing."""
    login_as(portal, "admin")
    now = followup.last_closing(report) + timedelta(days=days)
    sent = followup.ask_whether_fixed(portal, now=now)
    transaction.commit()
    return sent


def to(message):
    return message["X-Envelope-To"]


class FollowupTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.sink = self.layer["mailsink"]
        ratelimit.reset()
        self.report = closed_report(self.portal)
        self.sink.clear()
        self.anonymous = requests.Session()

    def questions(self):
        """{address: (yes link, no link)} of the "was it fixed?" mails."""
        found = {}
        for message in self.sink.messages():
            if "was it fixed?" not in subject(message):
                continue
            text = body(message)
            yes = re.search(r"\S+/@@it-is-fixed\?t=[\w-]+", text).group()
            no = re.search(r"\S+/@@still-a-problem\?t=[\w-]+", text).group()
            self.assertNotIn(to(message), found, "one mail per recipient")
            found[to(message)] = (yes, no)
        return found

    def asked(self, days=3):
        self.assertEqual(ask(self.portal, self.report, days), 2)
        questions = self.questions()
        self.sink.clear()
        return questions

    def state(self):
        transaction.begin()
        return api.content.get_state(self.report)

    def form_of(self, link):
        page = self.anonymous.get(link, timeout=60)
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)
        fields = tree.xpath("//form[contains(@action, '@@still-a-problem')]//input")
        return page, {f.get("name"): f.get("value") for f in fields if f.get("name")}

    def post(self, link, comment=COMMENT, photo=None, token=None):
        """The form of ``link`` sent; the answer."""
        page, fields = self.form_of(link)
        data = {
            "_authenticator": fields.get("_authenticator") or "",
            "t": token or fields.get("t") or link.rsplit("t=", 1)[-1],
            "comment": comment,
        }
        files = {"photo": ("buca.jpg", photo, "image/jpeg")} if photo else None
        action = link.split("?", 1)[0]
        return self.anonymous.post(
            action, data=data, files=files, timeout=60, allow_redirects=False
        )

    def assert_no_one_elses_data(self, messages):
        for message in messages:
            text = subject(message) + "\n" + body(message) + str(message["To"])
            others = [FAN, PENDING] if to(message) == PERSONAL["email"] else PERSONAL
            values = others.values() if isinstance(others, dict) else others
            for value in values:
                self.assertNotIn(value.lower(), text.lower(), subject(message))
            if to(message) != FAN:
                self.assertNotIn(FAN, text, subject(message))

    def test_one_mail_per_recipient_once_and_not_before_the_days(self):
        self.assertEqual(ask(self.portal, self.report, 2), 0)
        self.assertEqual(self.sink.messages(), [])
        self.assertEqual(ask(self.portal, self.report, 3), 2)
        messages = self.sink.messages()
        self.assertEqual(
            sorted(to(m) for m in messages), sorted([PERSONAL["email"], FAN])
        )
        links = self.questions()
        # Each recipient has their own links.
        self.assertNotEqual(links[FAN], links[PERSONAL["email"]])
        for message in messages:
            self.assertIn(self.report.tracking_number, subject(message))
            self.assertIn("Yes, it is fixed", body(message))
        self.assert_no_one_elses_data(messages)
        # The job again, the same day or later: nothing new.
        self.assertEqual(ask(self.portal, self.report, 3), 0)
        self.assertEqual(ask(self.portal, self.report, 10), 0)
        self.assertEqual(len(self.sink.messages()), 2)

    def test_not_asked_once_the_days_to_answer_are_over(self):
        self.assertEqual(ask(self.portal, self.report, 31), 0)

    def test_settings_at_zero_turn_it_off(self):
        api.portal.set_registry_record("collective.civicreports.fixed_question_days", 0)
        transaction.commit()
        self.assertEqual(ask(self.portal, self.report, 3), 0)
        api.portal.set_registry_record("collective.civicreports.fixed_question_days", 3)
        api.portal.set_registry_record(
            "collective.civicreports.still_a_problem_days", 0
        )
        transaction.commit()
        self.assertEqual(ask(self.portal, self.report, 3), 0)
        page = self.anonymous.get(engagement.private_url(self.report), timeout=60)
        self.assertNotIn("@@still-a-problem", page.text)

    def test_yes_records_the_answer(self):
        yes, _no = self.asked()[FAN]
        page = self.anonymous.get(yes, timeout=60)
        self.assertEqual(page.status_code, 200)
        self.assertIn("civicreport-followup-thanks", page.text)
        self.assertEqual(self.state(), "closed")
        self.assertEqual(
            followup.answers(self.report), {followup.FIXED: 1, followup.NOT_FIXED: 0}
        )
        self.assertEqual(self.sink.messages(), [])

    def test_no_with_comment_and_photo_reopens(self):
        _yes, no = self.asked()[FAN]
        page, fields = self.form_of(no)
        self.assertIn("What is still wrong?", page.text)
        self.assertTrue(fields["_authenticator"])
        response = self.post(no, photo=jpeg())
        self.assertEqual(response.status_code, 200)
        self.assertIn("civicreport-followup-thanks", response.text)

        self.assertEqual(self.state(), "assigned")
        last = history(self.report)[-1]
        self.assertEqual(last.action, "reopen")
        self.assertIn("still a problem", last.comment)
        self.assertIn(COMMENT, last.comment)
        self.assertEqual(
            followup.answers(self.report), {followup.FIXED: 0, followup.NOT_FIXED: 1}
        )
        # The photo, cleaned, waits for a moderator.
        self.assertEqual(self.report.objectIds(), ["photo-1.jpg", "photo-2.jpg"])
        photo = self.report["photo-2.jpg"]
        self.assertFalse(is_published(photo))
        for name in ("photo-1.jpg", "photo-2.jpg"):
            url = self.report[name].absolute_url() + "/@@images/image"
            response = self.anonymous.get(url, timeout=60, allow_redirects=False)
            self.assertNotEqual(response.status_code, 200, name)
            self.assertNotIn(photo.image.data[200:264], response.content)

        messages = self.sink.messages()
        office = [m for m in messages if to(m) == ROADS]
        self.assertEqual(len(office), 1)
        self.assertIn(COMMENT, body(office[0]))
        urp = [
            m
            for m in messages
            if to(m) == MODERATORS and "still a problem" in subject(m)
        ]
        self.assertEqual(len(urp), 1)
        self.assertIn(self.report.absolute_url() + "/@@handle", body(urp[0]))
        self.assertIn(COMMENT, body(urp[0]))
        self.assertIn("only the staff see it", body(urp[0]))
        self.assert_no_one_elses_data(messages)

    def test_without_a_comment_nothing_changes(self):
        _yes, no = self.asked()[PERSONAL["email"]]
        response = self.post(no, comment="   ", photo=jpeg())
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.text)
        error = tree.xpath("//*[@id='civicreport-followup-comment-error']")
        self.assertEqual(len(error), 1)
        self.assertIn("Say what is still wrong.", error[0].text_content())
        textarea = tree.xpath("//textarea[@name='comment']")[0]
        self.assertEqual(textarea.get("aria-invalid"), "true")
        self.assertEqual(self.state(), "closed")
        self.assertEqual(self.report.objectIds(), ["photo-1.jpg"])
        self.assertEqual(self.sink.messages(), [])

    def test_after_the_days_nothing_changes(self):
        yes, no = self.asked()[FAN]
        entries = self.report.workflow_history["civicreport_workflow"]
        for entry in entries:
            entry["time"] -= 31  # closed 31 days ago
        self.report.workflow_history["civicreport_workflow"] = entries
        transaction.commit()
        page = self.anonymous.get(no, timeout=60)
        self.assertIn("The time to answer about this closing", page.text)
        self.assertNotIn('name="comment"', page.text)
        self.post(no)
        self.anonymous.get(yes, timeout=60)
        self.assertEqual(self.state(), "closed")
        self.assertEqual(
            followup.answers(self.report), {followup.FIXED: 0, followup.NOT_FIXED: 0}
        )
        page = self.anonymous.get(engagement.private_url(self.report), timeout=60)
        self.assertNotIn("@@still-a-problem", page.text)
        self.assertEqual(self.sink.messages(), [])

    def test_not_closed_nothing_changes(self):
        _yes, no = self.asked()[FAN]
        self.state()
        run_as(self.portal, "roads", "reopen", self.report)
        transaction.commit()
        self.sink.clear()
        page = self.anonymous.get(no, timeout=60)
        self.assertIn("This report is not closed", page.text)
        self.post(no)
        self.assertEqual(history(self.report)[-1].comment, "")
        self.assertEqual(self.sink.messages(), [])

    def test_a_used_or_bad_token_changes_nothing(self):
        _yes, no = self.asked()[FAN]
        self.assertEqual(self.post(no).status_code, 200)
        self.assertEqual(self.state(), "assigned")
        # Closed again: the link was for the earlier closing, and is used.
        run_as(self.portal, "roads", "close", self.report)
        transaction.commit()
        self.sink.clear()
        page = self.anonymous.get(no, timeout=60)
        self.assertNotIn('name="comment"', page.text)
        self.post(no, comment="Ancora una volta.")
        self.assertEqual(self.state(), "closed")
        url = self.report.absolute_url()
        for name in ("it-is-fixed", "still-a-problem"):
            for query in ("", "?t=", "?t=not-a-token", "?t=a&t=b"):
                response = self.anonymous.get(f"{url}/@@{name}{query}", timeout=60)
                self.assertEqual(response.status_code, 404, f"{name}{query}")
        response = self.post(no, token="not-a-token")
        self.assertEqual(response.status_code, 404)
        # The reporter's private token does not answer "yes" for them.
        private = engagement.private_token(self.report)
        response = self.anonymous.get(f"{url}/@@it-is-fixed?t={private}", timeout=60)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.state(), "closed")
        self.assertEqual(self.sink.messages(), [])

    def test_the_private_page_offers_it(self):
        private = engagement.private_url(self.report)
        page = self.anonymous.get(private, timeout=60)
        link = html.fromstring(page.text).xpath(
            "//*[@id='civicreport-still-a-problem']//a/@href"
        )
        self.assertEqual(len(link), 1)
        response = self.post(link[0])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers["Location"], private)
        self.assertEqual(self.state(), "assigned")
        self.assertIn(COMMENT, history(self.report)[-1].comment)
        page = self.anonymous.get(private, timeout=60)
        self.assertIn("the report is back with its office", page.text)
        self.assertNotIn("@@still-a-problem", page.text)
        # Closed again: the reporter may say it again, of the new closing.
        run_as(self.portal, "roads", "close", self.report)
        transaction.commit()
        self.assertEqual(self.post(link[0]).status_code, 302)
        self.assertEqual(self.state(), "assigned")

    def test_a_confidential_report_too(self):
        from collective.civicreports.reports import moderation
        from collective.civicreports.tests.base import submit

        report = submit(self.portal, title="Buca riservata Ornitorinco")
        login_as(self.portal, "moderator")
        moderation.approve(report, confidential=True)
        login_as(self.portal, "admin")
        run_as(self.portal, "moderator", "assign", report)
        run_as(self.portal, "moderator", "close", report)
        transaction.commit()
        public = self.anonymous.get(
            report.absolute_url(), timeout=60, allow_redirects=False
        )
        self.assertNotEqual(public.status_code, 200)
        page = self.anonymous.get(engagement.private_url(report), timeout=60)
        link = html.fromstring(page.text).xpath(
            "//*[@id='civicreport-still-a-problem']//a/@href"
        )
        self.assertEqual(self.post(link[0]).status_code, 302)
        transaction.begin()
        self.assertEqual(api.content.get_state(report), "assigned")

    def test_the_post_is_rate_limited(self):
        api.portal.set_registry_record(
            "collective.civicreports.engagement_rate_limit", 1
        )
        transaction.commit()
        _yes, no = self.asked()[FAN]
        self.post(no, comment="")
        response = self.post(no)
        self.assertEqual(response.status_code, 429)
        self.assertTrue(int(response.headers["Retry-After"]) > 0)
        self.assertEqual(self.state(), "closed")

    def test_without_the_csrf_token_nothing_changes(self):
        _yes, no = self.asked()[FAN]
        response = self.anonymous.post(
            no.split("?")[0],
            data={"t": no.rsplit("t=", 1)[-1], "comment": COMMENT},
            timeout=60,
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.state(), "closed")


class FollowupBrowserTest(BrowserCase):
    """The "still a problem" page opened from the mail's link, in Chromium."""

    def test_still_a_problem_from_the_mail(self):
        d = self.driver
        report = closed_report(self.portal)
        self.sink.clear()
        self.assertEqual(ask(self.portal, report, 3), 2)
        (mail,) = [m for m in self.sink.messages() if to(m) == FAN]
        link = re.search(r"\S+/@@still-a-problem\?t=[\w-]+", body(mail)).group()
        self.open(link)
        self.check_axe("still a problem")
        width = d.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, self.width + 1)
        d.find_element(By.ID, "civicreport-followup-comment").send_keys(COMMENT)
        d.find_element(By.ID, "civicreport-followup-photo").send_keys(photo_file())
        self.click(d.find_element(By.ID, "civicreport-followup-send"))
        self.wait.until(
            EC.presence_of_element_located((By.ID, "civicreport-followup-thanks"))
        )
        self.check_axe("still a problem, sent")
        self.assertLessEqual(
            d.execute_script("return document.documentElement.scrollWidth"),
            self.width + 1,
        )
        transaction.begin()
        self.assertEqual(api.content.get_state(report), "assigned")
        self.assertIn(COMMENT, history(report)[-1].comment)


class FollowupPhoneTest(FollowupBrowserTest):
    width, height = 390, 844
