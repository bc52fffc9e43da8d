"""Load for the tests of production (test_burst, test_crash,
test_mail_outage): citizens submitting at once over HTTP, each request
with its own ``Idempotency-Key`` and retried with it when unanswered, and
staff moving reports through the workflow meanwhile. Bounded in count and
time: every request has a timeout, every loop an end."""

from collective.civicreports.tests.base import count_in_log
from collective.civicreports.tests.base import payload
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from lxml import html

import re
import requests
import threading
import time
import uuid


JSON = {"Accept": "application/json"}
MODERATOR = ("moderator", "moderator")
OFFICE = ("roads", "roads")
ADMIN = ("admin", "admin")
NUMBER = re.compile(r"^(\d{4})-(\d{6})$")
# An answer that is not Zope's: the balancer found no instance, or the
# connection was cut. The request may or may not have been committed.
UNANSWERED = {502, 503, 504}


@dataclass
class Outcome:
    """What a citizen finally got for one report."""

    status: object  # the HTTP status, or the error's repr
    number: str | None
    attempts: int
    key: str
    title: str


def submit_one(session, url, data, key, deadline, retry=False):
    """POST one report; with ``retry``, an unanswered request is sent again
    with the same key until it is answered or the deadline passes, as a
    citizen's app would."""
    attempts = 0
    while True:
        attempts += 1
        try:
            response = session.post(
                url + "/segnalazioni/@reports",
                json=data,
                headers={**JSON, "Idempotency-Key": key},
                timeout=120,
            )
            status = response.status_code
            number = response.json().get("tracking_number") if status < 300 else None
        except (requests.RequestException, ValueError) as error:
            status, number = repr(error), None
        answered = isinstance(status, int) and status not in UNANSWERED
        if answered or not retry or time.monotonic() > deadline:
            return Outcome(status, number, attempts, key, data["title"])
        time.sleep(0.5)


def citizens(urls, clients, total, marker, images=None, retry=False, limit=600):
    """``clients`` threads submit ``total`` reports between them, client i
    to ``urls[i % len(urls)]``; returns (outcomes, seconds)."""
    deadline = time.monotonic() + limit
    data = payload(images=images or [])
    shares = [total // clients + (i < total % clients) for i in range(clients)]

    def client(index):
        url = urls[index % len(urls)]
        with requests.Session() as session:
            return [
                submit_one(
                    session,
                    url,
                    dict(data, title=f"{marker} {index}-{n}"),
                    uuid.uuid4().hex,
                    deadline,
                    retry=retry,
                )
                for n in range(shares[index])
            ]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = [o for batch in pool.map(client, range(clients)) for o in batch]
    return outcomes, time.monotonic() - started


def queued(folder):
    """The mails waiting in a mail queue's folder."""
    return sum(1 for sub in ("new", "cur") for _ in (folder / sub).glob("[!.]*"))


def drained(folder, limit=180):
    """Wait until the queue has sent everything; the mails left."""
    deadline = time.monotonic() + limit
    while queued(folder) and time.monotonic() < deadline:
        time.sleep(1)
    return queued(folder)


def gaps(numbers):
    """The numbers missing between the lowest and the highest of a year."""
    by_year = {}
    for number in numbers:
        year, serial = NUMBER.match(number).groups()
        by_year.setdefault(year, set()).add(int(serial))
    return sum(max(s) - min(s) + 1 - len(s) for s in by_year.values())


def search(url, auth=ADMIN, **query):
    answer = requests.get(
        url + "/@search",
        params={"portal_type": "Report", "b_size": 1000, "metadata_fields": "getId"}
        | query,
        auth=auth,
        headers=JSON,
        timeout=120,
    )
    answer.raise_for_status()
    return answer.json()


def catalogued(url, marker, **query):
    """The tracking numbers of the reports whose text has the marker."""
    found, start = [], 0
    while True:
        page = search(url, SearchableText=marker, b_start=start, **query)
        found += [item["getId"] for item in page["items"]]
        start += len(page["items"])
        if not page["items"] or start >= page["items_total"]:
            return found


def zope_retries(instance_vars):
    """Requests Zope itself retried after a ConflictError (the event log),
    each a failure of the design: our own code retries what it expects."""
    return sum(count_in_log(var, "ConflictError") for var in instance_vars)


def transition(url, number, name, auth, **data):
    response = requests.post(
        f"{url}/segnalazioni/{number}/@workflow/{name}",
        json=data,
        auth=auth,
        headers=JSON,
        timeout=120,
    )
    return response.status_code


def bulk(url, numbers, button, **fields):
    """A moderator's bulk action from the queue, as the browser sends it."""
    with requests.Session() as session:
        session.auth = MODERATOR
        queue = session.get(url + "/segnalazioni/@@moderation", timeout=120)
        token = html.fromstring(queue.text).xpath(
            "//input[@name='_authenticator']/@value"
        )
        response = session.post(
            url + "/segnalazioni/@@moderation-bulk",
            data={
                "_authenticator": token[0] if token else "",
                "numbers:list": list(numbers),
                button: "1",
                **fields,
            },
            timeout=300,
        )
        return response.status_code


class Staff:
    """Moderators and an office at work on ``numbers`` (submitted reports)
    while the citizens submit: one moderator approves and assigns the first
    half one by one, the office closes each as soon as it is assigned,
    another moderator approves and assigns the second half in bulk, ten at
    a time. Every answer is kept."""

    def __init__(self, url, numbers):
        self.url = url
        half = len(numbers) // 2
        self.single, self.in_bulk = numbers[:half], numbers[half:]
        self.answers = []  # (who, what, status)
        self._assigned = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.threads = [
            threading.Thread(target=self._moderator, daemon=True),
            threading.Thread(target=self._office, daemon=True),
            threading.Thread(target=self._bulk, daemon=True),
        ]

    def _note(self, who, what, status):
        with self._lock:
            self.answers.append((who, what, status))

    def _moderator(self):
        try:
            for number in self.single:
                self._note(
                    "moderator",
                    "approve",
                    transition(self.url, number, "approve", MODERATOR),
                )
                self._note(
                    "moderator",
                    "assign",
                    transition(
                        self.url, number, "assign", MODERATOR, comment="Alla squadra"
                    ),
                )
                with self._lock:
                    self._assigned.append(number)
        finally:
            self._done.set()

    def _office(self):
        closed = 0
        deadline = time.monotonic() + 600
        while closed < len(self.single) and time.monotonic() < deadline:
            with self._lock:
                ready = self._assigned[closed:]
            if not ready:
                if self._done.is_set() and closed >= len(self._assigned):
                    return
                time.sleep(0.1)
                continue
            for number in ready:
                self._note(
                    "office",
                    "close",
                    transition(self.url, number, "close", OFFICE, comment="Riparata."),
                )
                closed += 1

    def _bulk(self):
        for start in range(0, len(self.in_bulk), 10):
            batch = self.in_bulk[start : start + 10]
            self._note("bulk", "approve", bulk(self.url, batch, "form.buttons.approve"))
            self._note(
                "bulk",
                "assign",
                bulk(
                    self.url,
                    batch,
                    "form.buttons.assign",
                    office="office-roads",
                    comment="In blocco",
                ),
            )

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def join(self, timeout=600):
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0, deadline - time.monotonic()))

    def states(self):
        """The review state of each of the staff's reports."""
        return {
            number: requests.get(
                f"{self.url}/segnalazioni/{number}",
                auth=ADMIN,
                headers=JSON,
                timeout=60,
            ).json()["review_state"]
            for number in self.single + self.in_bulk
        }
