"""A submission sent again makes no second report: the ``Idempotency-Key``
header of ``POST @reports``, the form's hidden key, the link of the
confirmation mail; over real HTTP, concurrent requests included."""

from collective.civicreports.jobs import daily
from collective.civicreports.reports import idempotency
from collective.civicreports.reports import pending
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.test_form import FormCase
from collective.civicreports.tests.test_form import GOOD
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from plone import api
from zope.annotation.interfaces import IAnnotations

import json
import re
import requests
import threading
import time
import transaction
import unittest
import uuid


URL_TIMEOUT = 120  # seconds, for each request
# The waitress threads of the test server: as many requests at once.
AT_ONCE = 4


def at_once(call, count=AT_ONCE):
    """``call()`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count, timeout=60)

    def run(_index):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=URL_TIMEOUT * 2))


def age_keys(folder, seconds):
    """Move every key of ``folder`` ``seconds`` into the past."""
    transaction.begin()
    store = IAnnotations(folder)[idempotency.ANNOTATION_KEY]
    for name, (number, fingerprint, when, state) in list(store.items()):
        store[name] = (number, fingerprint, when - seconds, state)
    transaction.commit()


class SinkMixin:
    def mails(self):
        return len(self.layer["mailsink"].messages())

    def mails_after(self, before, timeout=10):
        """The count of the mails once the sink stops receiving (bounded)."""
        deadline = time.monotonic() + timeout
        count = self.mails()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.mails()
            if now == count and now > before:
                return now
            count = now
        return count


class RestTest(SinkMixin, unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.url = self.folder.absolute_url() + "/@reports"
        ratelimit.reset()
        # Bytes sent as they are: a retry repeats its body exactly.
        self.body = json.dumps(payload()).encode()

    def post(self, key=None, body=None, auth=None):
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = requests.post(
            self.url,
            data=self.body if body is None else body,
            headers=headers,
            auth=auth,
            timeout=URL_TIMEOUT,
        )
        transaction.begin()  # see what the server committed
        return response

    def count(self):
        transaction.begin()
        return len(self.folder.objectIds())

    def test_a_retry_is_answered_as_the_first_request(self):
        before, mails = self.count(), self.mails()
        key = str(uuid.uuid4())
        first = self.post(key)
        self.assertEqual(first.status_code, 201, first.text)
        sent = self.mails_after(mails)
        self.assertGreater(sent, mails)
        again = self.post(key)
        self.assertEqual(again.status_code, 201, again.text)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again.headers["Location"], first.headers["Location"])
        self.assertEqual(self.count(), before + 1)
        time.sleep(1)
        self.assertEqual(self.mails(), sent)

    def test_the_state_is_the_first_answer(self):
        key = "state-of-the-first-answer"
        first = self.post(key).json()
        run_as(
            self.portal, "moderator", "approve", self.folder[first["tracking_number"]]
        )
        transaction.commit()
        self.assertEqual(self.post(key).json()["review_state"], "submitted")

    def test_a_quoted_key_is_the_bare_key(self):
        first = self.post('"order-41"')
        self.assertEqual(first.status_code, 201, first.text)
        again = self.post("order-41")
        self.assertEqual(again.json(), first.json())
        escaped = self.post(r'"with \"quotes\""')
        self.assertEqual(self.post('with "quotes"').json(), escaped.json())

    def test_another_body_with_the_key(self):
        key = str(uuid.uuid4())
        self.assertEqual(self.post(key).status_code, 201)
        before = self.count()
        other = json.dumps(payload(title="Un'altra buca")).encode()
        response = self.post(key, body=other)
        self.assertEqual(response.status_code, 422, response.text)
        error = response.json()["error"]
        self.assertEqual(error["type"], "IdempotencyKeyReused")
        self.assertIn("was used for a different request", error["message"])
        self.assertEqual(self.count(), before)

    def test_bad_keys(self):
        before = self.count()
        for key in ("", "x" * 256, "città", '""'):
            response = self.post(key)
            self.assertEqual(response.status_code, 400, (key, response.text))
            error = response.json()["error"]
            self.assertEqual(error["type"], "BadRequest")
            self.assertEqual(error["errors"][0]["field"], "Idempotency-Key")
            self.assertIn("printable ASCII", error["message"])
        self.assertEqual(self.count(), before)
        self.assertEqual(self.post("x" * 255).status_code, 201)

    def test_without_a_key_nothing_changes(self):
        before = self.count()
        first, second = self.post(), self.post()
        self.assertEqual([first.status_code, second.status_code], [201, 201])
        self.assertNotEqual(
            first.json()["tracking_number"], second.json()["tracking_number"]
        )
        self.assertEqual(self.count(), before + 2)
        self.assertIsNone(IAnnotations(self.folder).get(idempotency.ANNOTATION_KEY))

    def test_a_refused_request_records_no_key(self):
        key = str(uuid.uuid4())
        bad = json.dumps(payload(title="")).encode()
        self.assertEqual(self.post(key, body=bad).status_code, 400)
        # Corrected, with the same key: the report is made.
        good = json.dumps(payload(title="Buca")).encode()
        self.assertEqual(self.post(key, body=good).status_code, 201)

    def test_a_retry_is_not_counted_by_the_limit(self):
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 2
        )
        transaction.commit()
        ratelimit.reset()
        key = str(uuid.uuid4())
        statuses = [self.post(key).status_code for _ in range(3)]
        statuses += [self.post().status_code, self.post().status_code]
        self.assertEqual(statuses, [201, 201, 201, 201, 429])
        # The hour's reports are used up: a retry is still answered.
        self.assertEqual(self.post(key).status_code, 201)

    def test_keys_expire_after_a_day(self):
        key = str(uuid.uuid4())
        first = self.post(key).json()
        age_keys(self.folder, idempotency.LIFETIME + 60)
        second = self.post(key)
        self.assertEqual(second.status_code, 201, second.text)
        self.assertNotEqual(second.json()["tracking_number"], first["tracking_number"])
        # And the next retry finds the new one.
        self.assertEqual(self.post(key).json(), second.json())

    def test_the_daily_job_forgets_expired_keys(self):
        old, recent = str(uuid.uuid4()), str(uuid.uuid4())
        self.post(old)
        age_keys(self.folder, idempotency.LIFETIME + 60)
        answer = self.post(recent).json()
        transaction.begin()
        self.assertEqual(daily.forget_expired_keys(self.portal, datetime.now()), 1)
        transaction.commit()
        self.assertEqual(len(IAnnotations(self.folder)[idempotency.ANNOTATION_KEY]), 1)
        self.assertEqual(self.post(recent).json(), answer)
        later = datetime.now() + timedelta(seconds=idempotency.LIFETIME + 60)
        self.assertEqual(daily.forget_expired_keys(self.portal, later), 1)
        transaction.abort()

    def test_a_removed_report_frees_its_key(self):
        key = str(uuid.uuid4())
        first = self.post(key).json()
        login_as(self.portal, "admin")
        api.content.delete(self.folder[first["tracking_number"]])
        transaction.commit()
        again = self.post(key)
        self.assertEqual(again.status_code, 201, again.text)
        self.assertNotEqual(again.json()["tracking_number"], first["tracking_number"])

    def test_requests_with_one_key_at_once_make_one_report(self):
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 0
        )
        transaction.commit()
        before, mails = self.count(), self.mails()
        key = str(uuid.uuid4())
        responses = at_once(lambda: self.post(key))
        self.assertEqual([r.status_code for r in responses], [201] * AT_ONCE)
        numbers = {r.json()["tracking_number"] for r in responses}
        self.assertEqual(len(numbers), 1, numbers)
        self.assertEqual(self.count(), before + 1)
        # One set of mails: those of one report.
        one_set = self.mails_after(mails) - mails
        self.post()
        self.assertEqual(self.mails_after(mails + one_set) - mails, 2 * one_set)


class FormKeyTest(SinkMixin, FormCase):
    def summary_page(self, **changes):
        """Up to the summary; the values its page would send."""
        self.open()
        self.next(privacy_consent="1")
        data = {k: v for k, v in GOOD.items() if k != "privacy_consent"}
        self.next(**dict(data, **changes))
        self.assertEqual(self.steps(), ["summary"])
        return self.form_values() + [("form.buttons.send", "send")]

    def post(self, values, session=None):
        response = (session or self.session).post(
            self.url, data=values, timeout=URL_TIMEOUT
        )
        transaction.begin()
        return response

    def to_reporter(self):
        return [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == GOOD["reporter_email"]
        ]

    def test_the_key_is_made_once_and_kept_through_the_steps(self):
        self.open()
        key = self.value("idempotency_key")
        self.assertRegex(key, "^[0-9a-f]{32}$")
        self.next(privacy_consent="1")
        self.assertEqual(self.value("idempotency_key"), key)
        self.next(**dict(GOOD, title=""))
        self.assertIn("Give the report a subject.", self.response.text)
        self.assertEqual(self.value("idempotency_key"), key)
        self.next(title="Buca")
        self.assertEqual(self.steps(), ["summary"])
        self.assertEqual(self.value("idempotency_key"), key)
        # A new form, a new key; never one from a link.
        self.open(self.url + "?idempotency_key=" + "a" * 32)
        self.assertNotIn(self.value("idempotency_key"), (key, "a" * 32))

    def test_a_page_sent_again_leads_to_the_same_report(self):
        values = self.summary_page()
        first = self.post(values)
        self.assertIn("@@segnala-inviata", first.url)
        self.assertEqual(len(self.reports()), 1)
        mails = len(self.to_reporter())
        self.assertEqual(mails, 1)
        again = self.post(values)
        self.assertEqual(again.url, first.url)
        self.assertIn("Thank you, we have received your report", again.text)
        self.assertEqual(len(self.reports()), 1)
        time.sleep(1)
        self.assertEqual(len(self.to_reporter()), mails)

    def test_a_double_click(self):
        values = self.summary_page()
        responses = at_once(lambda: self.post(values, requests.Session()), 2)
        self.assertEqual(len({r.url for r in responses}), 1)
        self.assertIn("@@segnala-inviata", responses[0].url)
        self.assertEqual(len(self.reports()), 1)

    def test_a_page_changed_after_sending_is_a_new_report(self):
        values = self.summary_page()
        first = self.post(values)
        changed = [(k, "Lampione spento" if k == "title" else v) for k, v in values]
        second = self.post(changed)
        self.assertIn("@@segnala-inviata", second.url)
        self.assertNotEqual(second.url, first.url)
        self.assertEqual(len(self.reports()), 2)
        # The first page, sent once more, still leads to its own report.
        self.assertEqual(self.post(values).url, first.url)
        self.assertEqual(len(self.reports()), 2)

    def test_a_page_sent_again_is_not_counted_by_the_limit(self):
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 1
        )
        transaction.commit()
        values = self.summary_page()
        first = self.post(values)
        self.assertIn("@@segnala-inviata", first.url)
        again = self.post(values)
        self.assertEqual(again.url, first.url)
        self.assertNotIn("Too many reports", again.text)
        self.assertEqual(len(self.reports()), 1)

    def test_the_confirmation_is_mailed_once(self):
        api.portal.set_registry_record(
            "collective.civicreports.confirm_anonymous_email", True
        )
        transaction.commit()
        values = self.summary_page()
        for _ in range(2):
            response = self.post(values)
            self.assertIn("segnala-confirm-sent", response.url)
        self.assertEqual(self.reports(), [])
        time.sleep(1)
        self.assertEqual(len(self.to_reporter()), 1)
        store = IAnnotations(self.folder)[pending.KEY]
        self.assertEqual(len(store), 1)

    def confirmation_link(self):
        text = self.to_reporter()[-1].get_payload(decode=True).decode()
        return re.search(r"(http://\S+@@segnala-confirm\?t=\S+)", text).group(1)

    def test_the_mail_link_opened_twice_makes_one_report(self):
        api.portal.set_registry_record(
            "collective.civicreports.confirm_anonymous_email", True
        )
        transaction.commit()
        self.post(self.summary_page())
        link = self.confirmation_link()
        first = self.session.get(link, timeout=URL_TIMEOUT)
        self.assertIn("@@segnala-inviata", first.url)
        again = self.session.get(link, timeout=URL_TIMEOUT)
        self.assertIn("This link is not valid", again.text)
        self.assertEqual(len(self.reports()), 1)

    def test_the_mail_link_opened_twice_at_once_makes_one_report(self):
        api.portal.set_registry_record(
            "collective.civicreports.confirm_anonymous_email", True
        )
        transaction.commit()
        self.post(self.summary_page())
        link = self.confirmation_link()
        responses = at_once(lambda: requests.get(link, timeout=URL_TIMEOUT), AT_ONCE)
        # Those that read the pending submission before it was discarded
        # find its report; the later ones find the link used.
        sent = {r.url for r in responses if "@@segnala-inviata" in r.url}
        self.assertEqual(len(sent), 1, sent)
        for response in responses:
            if "@@segnala-inviata" not in response.url:
                self.assertIn("This link is not valid", response.text)
        self.assertEqual(len(self.reports()), 1)
