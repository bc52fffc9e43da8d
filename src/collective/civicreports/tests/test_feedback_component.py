"""The page feedback component ("Quanto sono chiare le informazioni su
questa pagina?", AgID C.SI.2.5) over real HTTP, without JavaScript: its
markup as the validator reads it, a POST counted, bad values refused, the
counts for the staff only."""

from collective.civicreports.browser.service import feedback_of
from collective.civicreports.security.ratelimit import reset as reset_rate_limits
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from collective.civicreports.tests.test_way_in import italian
from lxml import html
from plone import api

import requests
import transaction
import unittest


# pa-website-validator, storage/municipality/feedbackComponentStructure.ts
TITLE = "Quanto sono chiare le informazioni su questa pagina?"
POSITIVE_QUESTION = "Quali sono stati gli aspetti che hai preferito?"
NEGATIVE_QUESTION = "Dove hai incontrato le maggiori difficoltà?"
POSITIVE = [
    "Le indicazioni erano chiare",
    "Le indicazioni erano complete",
    "Capivo sempre che stavo procedendo correttamente",
    "Non ho avuto problemi tecnici",
    "Altro",
]
NEGATIVE = [
    "A volte le indicazioni non erano chiare",
    "A volte le indicazioni non erano complete",
    "A volte non capivo se stavo procedendo correttamente",
    "Ho avuto problemi tecnici",
    "Altro",
]


def element(page, name):
    return page.xpath(f"//*[@data-element='{name}']")


class FeedbackComponentTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.public = submit(self.portal, title="Buca davanti alla scuola")
        run_as(self.portal, "moderator", "approve", self.public)
        self.private = submit(self.portal, title="Buca in moderazione")
        italian(self.portal)
        transaction.commit()
        reset_rate_limits()
        self.session = requests.Session()

    def page(self, url):
        response = self.session.get(url, timeout=60)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.text)

    def component(self, url):
        page = self.page(url)
        found = element(page, "feedback")
        self.assertEqual(len(found), 1, url)
        return found[0]

    def test_markup_on_the_public_pages(self):
        folder_url = self.folder.absolute_url()
        for url in (folder_url, folder_url + "/@@segnala", self.public.absolute_url()):
            form = self.component(url)
            title = element(form, "feedback-title")[0].text_content().strip()
            self.assertEqual(title, TITLE)
            for rating in range(1, 6):
                rate = element(form, f"feedback-rate-{rating}")
                self.assertEqual(len(rate), 1)
                # A label of a radio: clicking it chooses the rating.
                radio = form.xpath(f".//input[@id='{rate[0].get('for')}']")[0]
                self.assertEqual(radio.get("value"), str(rating))
            for name, question, answers in (
                ("feedback-rating-positive", POSITIVE_QUESTION, POSITIVE),
                ("feedback-rating-negative", NEGATIVE_QUESTION, NEGATIVE),
            ):
                part = element(form, name)[0]
                self.assertEqual(
                    part.xpath(
                        "string(.//*[@data-element='feedback-rating-question'])"
                    ).strip(),
                    question,
                )
                self.assertEqual(
                    [
                        a.text_content().strip()
                        for a in part.xpath(
                            ".//*[@data-element='feedback-rating-answer']"
                        )
                    ],
                    answers,
                )
            detail = element(form, "feedback-input-text")[0]
            self.assertEqual(detail.get("maxlength"), "200")

    def test_not_on_the_staff_pages_nor_a_private_report(self):
        session = requests.Session()
        session.auth = ("moderator", "moderator")
        page = html.fromstring(
            session.get(self.folder.absolute_url() + "/@@moderation", timeout=60).text
        )
        self.assertEqual(element(page, "feedback"), [])
        page = html.fromstring(
            session.get(self.private.absolute_url() + "/@@moderate", timeout=60).text
        )
        self.assertEqual(element(page, "feedback"), [])
        page = html.fromstring(
            session.get(self.private.absolute_url(), timeout=60).text
        )
        self.assertEqual(element(page, "feedback"), [])

    def form_data(self, url, **values):
        form = self.component(url)
        data = {
            field.get("name"): field.get("value")
            for field in form.xpath(".//input[@type='hidden']")
        }
        data.update(values)
        return form.get("action"), data

    def test_a_post_without_javascript_is_counted(self):
        url = self.public.absolute_url()
        action, data = self.form_data(
            url, rating="2", answer="unclear", detail="Non trovo l'orario"
        )
        response = self.session.post(action, data=data, timeout=60)
        self.assertEqual(response.status_code, 200)
        # Back to the page it was given on, with thanks.
        self.assertEqual(response.url, url)
        self.assertTrue("Grazie, il tuo parere" in response.text)
        transaction.begin()
        counts = feedback_of(self.folder)
        self.assertEqual(counts.counts[("report", "rating", "2")], 1)
        self.assertEqual(counts.counts[("report", "answer", "unclear")], 1)
        # Nobody reads the details but the staff.
        self.assertNotIn("Non trovo l'orario", self.session.get(url, timeout=60).text)
        action, data = self.form_data(self.folder.absolute_url(), rating="5")
        self.session.post(action, data=data, timeout=60)
        transaction.begin()
        self.assertEqual(feedback_of(self.folder).counts[("service", "rating", "5")], 1)

    def test_bad_values_are_refused(self):
        url = self.folder.absolute_url()
        for values, message in (
            ({"rating": "6"}, "rating: "),
            ({"rating": ""}, "rating: "),
            ({"rating": "5", "answer": "unclear"}, "answer: "),
            ({"rating": "1", "detail": "x" * 201}, "detail: "),
            ({"rating": "1", "page": "moderation"}, "page: "),
        ):
            action, data = self.form_data(url, **values)
            response = self.session.post(action, data=data, timeout=60)
            self.assertEqual(response.status_code, 400, values)
            page = html.fromstring(response.text)
            error = page.xpath(
                "string(//*[contains(@class,'civicreports-feedback-error')])"
            )
            self.assertTrue(error.startswith(message), (values, error))
        transaction.begin()
        self.assertIsNone(feedback_of(self.folder))

    def test_the_form_needs_its_token(self):
        action, data = self.form_data(self.folder.absolute_url(), rating="4")
        del data["_authenticator"]
        response = self.session.post(action, data=data, timeout=60)
        self.assertNotEqual(response.status_code, 200)
        transaction.begin()
        self.assertIsNone(feedback_of(self.folder))

    def test_no_redirect_elsewhere(self):
        action, data = self.form_data(
            self.folder.absolute_url(), rating="4", came_from="https://example.org/x"
        )
        response = self.session.post(
            action, data=data, allow_redirects=False, timeout=60
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.headers["Location"], self.folder.absolute_url())

    def test_rate_limited(self):
        api.portal.set_registry_record(
            "collective.civicreports.engagement_rate_limit", 2
        )
        transaction.commit()
        codes = []
        for _attempt in range(3):
            action, data = self.form_data(self.folder.absolute_url(), rating="3")
            response = self.session.post(
                action, data=data, allow_redirects=False, timeout=60
            )
            codes.append(response.status_code)
        self.assertEqual(codes, [303, 303, 429])
        self.assertIn("Retry-After", response.headers)
        transaction.begin()
        self.assertEqual(feedback_of(self.folder).counts[("service", "rating", "3")], 2)

    def test_summary_for_the_staff_only(self):
        action, data = self.form_data(
            self.folder.absolute_url(), rating="1", answer="technical", detail="Lento"
        )
        self.session.post(action, data=data, timeout=60)
        url = self.portal.absolute_url() + "/@@civicreports-feedback-summary"
        anonymous = requests.get(url, timeout=60)
        self.assertNotIn("Lento", anonymous.text)
        citizen = requests.get(url, auth=("citizen", "citizen"), timeout=60)
        self.assertNotIn("Lento", citizen.text)
        moderator = requests.get(url, auth=("moderator", "moderator"), timeout=60)
        self.assertEqual(moderator.status_code, 200)
        page = html.fromstring(moderator.text)
        self.assertIn("Lento", moderator.text)
        totals = page.xpath("//td[@class='civicreports-feedback-total']/text()")
        self.assertEqual(totals, ["1", "0", "0"])


# What the validator computes after clicking a rating (utils/municipality/
# utils.ts, checkFeedbackComponent): whether each follow-up is on screen.
VISIBLE = """
function visible(name) {
  var e = document.querySelector('[data-element="' + name + '"]');
  var rect = e.getBoundingClientRect();
  var style = window.getComputedStyle(e);
  return !!(e.offsetParent && style.visibility !== 'hidden' && rect.height > 0
            && rect.width > 0);
}
return [visible('feedback-rating-positive'), visible('feedback-rating-negative')];
"""


class FeedbackInABrowserTest(unittest.TestCase):
    """The follow-up question of the rating given, as the validator clicks
    it in Chromium (the component's own CSS, no script)."""

    layer = SERVER_TESTING

    def setUp(self):
        from collective.civicreports.tests.chromium import start_chromium

        self.driver = start_chromium()
        self.addCleanup(self.driver.quit)

    def test_the_follow_up_of_each_rating(self):
        from selenium.webdriver.common.by import By

        driver = self.driver
        driver.get(self.layer["portal"]["segnalazioni"].absolute_url())
        self.assertEqual(driver.execute_script(VISIBLE), [False, False])
        seen = []
        for rating in range(1, 6):
            label = driver.find_element(
                By.CSS_SELECTOR, f"[data-element='feedback-rate-{rating}']"
            )
            driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                label,
            )
            label.click()
            seen.append(tuple(driver.execute_script(VISIBLE)))
        # 1 to 3: what went wrong; 4 and 5: what went well.
        negative, positive = (False, True), (True, False)
        self.assertEqual(seen, [negative] * 3 + [positive] * 2)
