"""The two calls of the IO REST API for services that this add-on makes:
the profile check (``POST /profiles``) and the message (``POST
/messages``), authenticated by the service's key in the
``Ocp-Apim-Subscription-Key`` header.

Every answer becomes one of three outcomes, which the queue acts on:
``Sent``, ``Drop`` (the citizen is not on IO or has turned the service
off: e-mail only, nothing wrong) and ``Failed`` (retry, or give up).
"""

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests
import time


# The API's own bounds (NewMessage in io-functions-services' openapi).
SUBJECT_LENGTH = (10, 120)
MARKDOWN_LENGTH = (80, 10000)


@dataclass(frozen=True)
class Sent:
    message_id: str


@dataclass(frozen=True)
class Drop:
    reason: str


@dataclass(frozen=True)
class Failed:
    reason: str
    retry: bool
    # Seconds the server asked us to wait (Retry-After), or None.
    retry_after: float | None = None


def retry_after(response):
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _failure(response, what):
    status = response.status_code
    reason = f"{what}: HTTP {status}"
    try:
        detail = response.json()
    except ValueError:
        detail = None
    if isinstance(detail, dict) and isinstance(detail.get("title"), str):
        # ProblemJson: a title and a detail, never the fiscal code.
        reason += f" {detail['title'][:200]}"
    if status == 429 or status >= 500:
        return Failed(reason, retry=True, retry_after=retry_after(response))
    # 400, 401, 403 and anything else: asking again would answer the same.
    return Failed(reason, retry=False)


class Client:
    def __init__(self, base_url, key, timeout=10, session=None):
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.session = session or requests.Session()

    def _post(self, path, data):
        return self.session.post(
            self.base_url + path,
            json=data,
            headers={
                "Ocp-Apim-Subscription-Key": self.key,
                "Accept": "application/json",
            },
            timeout=self.timeout,
            # The IO API never redirects; a redirect would take the key along.
            allow_redirects=False,
        )

    def check_profile(self, fiscal_code):
        """None when the service may write to the citizen, else an outcome."""
        try:
            response = self._post("/profiles", {"fiscal_code": fiscal_code})
        except requests.RequestException as error:
            return Failed(f"profile: {type(error).__name__}", retry=True)
        if response.status_code == 404:
            return Drop("not on IO")
        if response.status_code != 200:
            return _failure(response, "profile")
        try:
            allowed = response.json().get("sender_allowed")
        except (ValueError, AttributeError):
            return Failed("profile: not JSON", retry=True)
        return None if allowed is True else Drop("the citizen turned the service off")

    def submit(self, fiscal_code, subject, markdown):
        try:
            response = self._post(
                "/messages",
                {
                    "fiscal_code": fiscal_code,
                    "content": {"subject": subject, "markdown": markdown},
                },
            )
        except requests.RequestException as error:
            return Failed(f"message: {type(error).__name__}", retry=True)
        if response.status_code == 201:
            try:
                return Sent(str(response.json().get("id", "")))
            except (ValueError, AttributeError):
                return Sent("")
        if response.status_code == 404:
            return Drop("not on IO")
        return _failure(response, "message")

    def send(self, fiscal_code, subject, markdown):
        """Check the profile, then send: the outcome."""
        return self.check_profile(fiscal_code) or self.submit(
            fiscal_code, subject, markdown
        )
