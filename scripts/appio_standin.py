"""A local stand-in of the App IO API for services, for ``make start`` and
the tests: the two endpoints the add-on calls, with the documented
validation and errors (io-functions-services' openapi), on 127.0.0.1.

    POST {base}/profiles  {"fiscal_code"}            200 {"sender_allowed"}, 404
    POST {base}/messages  {"fiscal_code", "content": {"subject", "markdown"}}
                                                     201 {"id"}, 403, 404
    any: 400 (invalid payload, ProblemJson), 401 (no or unknown
    Ocp-Apim-Subscription-Key), 429 with Retry-After (throttled)

Every request is recorded, answered or not, as a JSON file in DIR
(``NNNNNN-profiles.json``, ``NNNNNN-messages.json``: time, endpoint,
key, body, status, answer). Messages sent to IO are what the real service would deliver; here
they stay in those files.

Usage: python scripts/appio_standin.py --port 8026 --dir var/appio
       [--keys K1,K2] [--not-on-io CF,...] [--opted-out CF,...]
       [--throttle K] [--retry-after S] [--fail STATUS]
The base URL is http://127.0.0.1:PORT/api/v1.
"""

from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import argparse
import json
import re
import secrets
import threading
import time


BASE_PATH = "/api/v1"
FISCAL_CODE = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z]"
    r"[0-9LMNPQRSTUV]{3}[A-Z]$"
)
MAX_BODY = 1024 * 1024


def problem(status, title, detail):
    return status, {
        "type": "about:blank",
        "status": status,
        "title": title,
        "detail": detail,
    }


class StandIn:
    """The server; its attributes may be changed while it runs."""

    def __init__(
        self,
        directory,
        host="127.0.0.1",
        port=0,
        keys=None,
        not_on_io=(),
        opted_out=(),
        throttle=0,
        retry_after=1,
        fail=None,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.requested_port = port
        # None: any non-empty key is a service's.
        self.keys = set(keys) if keys else None
        self.not_on_io = set(not_on_io)
        self.opted_out = set(opted_out)
        # The next ``throttle`` requests are answered 429.
        self.throttle = throttle
        self.retry_after = retry_after
        # A status every POST /messages is answered with (400, 500, ...).
        self.fail = fail
        self._lock = threading.Lock()
        self._count = len(list(self.directory.glob("*.json")))
        self._server = None
        self._thread = None

    @property
    def port(self):
        if self._server is None:
            return self.requested_port
        return self._server.server_address[1]

    @property
    def url(self):
        return f"http://{self.host}:{self.port}{BASE_PATH}"

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                standin._handle(self)

            def do_GET(self):
                self._answer(*problem(404, "Not Found", "Not an endpoint here"))

            def _answer(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                kind = (
                    "application/problem+json" if status >= 400 else "application/json"
                )
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer((self.host, self.requested_port), Handler)
        # Started again (IO back after an outage), it is on the same port.
        self.requested_port = self.port
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)
            self._server = None

    # What was received

    def received(self, endpoint=None, status=None):
        """The recorded requests, oldest first, optionally of one endpoint
        ("profiles", "messages") and answer status."""
        found = []
        for path in sorted(self.directory.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            if endpoint and record["endpoint"] != endpoint:
                continue
            if status is not None and record["status"] != status:
                continue
            found.append(record)
        return found

    def delivered(self):
        """The messages IO accepted."""
        return self.received("messages", 201)

    def clear(self):
        for path in self.directory.glob("*.json"):
            path.unlink()

    # Answering

    def _handle(self, handler):
        path = handler.path.split("?", 1)[0]
        endpoint = (
            path[len(BASE_PATH) + 1 :] if path.startswith(BASE_PATH + "/") else ""
        )
        key = handler.headers.get("Ocp-Apim-Subscription-Key", "")
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        raw = handler.rfile.read(length) if 0 <= length <= MAX_BODY else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = raw.decode("utf-8", "replace")
        headers = []
        with self._lock:
            throttled = self.throttle > 0
            if throttled:
                self.throttle -= 1
        if endpoint not in ("profiles", "messages"):
            status, answer = problem(404, "Not Found", "Not an endpoint here")
        elif not key or (self.keys is not None and key not in self.keys):
            # As the API Management gateway answers.
            status, answer = (
                401,
                {
                    "statusCode": 401,
                    "message": "Access denied due to invalid subscription key.",
                },
            )
        elif throttled:
            status, answer = (
                429,
                {
                    "statusCode": 429,
                    "message": f"Rate limit is exceeded. Try again in {self.retry_after} seconds.",
                },
            )
            headers.append(("Retry-After", str(self.retry_after)))
        elif endpoint == "profiles":
            status, answer = self._profile(body)
        else:
            status, answer = self._message(body)
            if status == 201:
                headers.append(("Location", f"{BASE_PATH}/messages/{answer['id']}"))
        self._record(endpoint, key, body, status, answer)
        handler._answer(status, answer, headers)

    def _fiscal_code(self, body):
        if not isinstance(body, dict):
            return None
        code = body.get("fiscal_code")
        return code if isinstance(code, str) and FISCAL_CODE.match(code) else None

    def _profile(self, body):
        code = self._fiscal_code(body)
        if code is None:
            return problem(
                400, "Invalid payload", "value.fiscal_code is not a valid FiscalCode"
            )
        if code in self.not_on_io:
            return problem(
                404,
                "Profile not found",
                "The profile you requested was not found in the system.",
            )
        return 200, {
            "sender_allowed": code not in self.opted_out,
            "preferred_languages": ["it_IT"],
        }

    def _message(self, body):
        code = self._fiscal_code(body)
        if code is None:
            return problem(
                400, "Invalid payload", "value.fiscal_code is not a valid FiscalCode"
            )
        content = body.get("content")
        if not isinstance(content, dict):
            return problem(400, "Invalid payload", "value.content is required")
        subject, markdown = content.get("subject"), content.get("markdown")
        if not isinstance(subject, str) or not 10 <= len(subject) <= 120:
            return problem(
                400,
                "Invalid payload",
                "value.content.subject is not a MessageSubject (10 to 120 characters)",
            )
        if not isinstance(markdown, str) or not 80 <= len(markdown) <= 10000:
            return problem(
                400,
                "Invalid payload",
                "value.content.markdown is not a MessageBodyMarkdown (80 to 10000 characters)",
            )
        if self.fail:
            return problem(self.fail, "Error", "The stand-in was told to answer so")
        if code in self.not_on_io:
            return problem(
                404,
                "Profile not found",
                "The profile you requested was not found in the system.",
            )
        if code in self.opted_out:
            return problem(
                403,
                "Recipient forbidden",
                "The recipient does not accept messages from this service",
            )
        return 201, {"id": secrets.token_hex(13).upper()}

    def _record(self, endpoint, key, body, status, answer):
        with self._lock:
            self._count += 1
            name = f"{self._count:06d}-{endpoint or 'other'}.json"
        record = {
            "time": time.time(),
            "endpoint": endpoint,
            "key": key,
            "body": body,
            "status": status,
            "answer": answer,
        }
        tmp = self.directory / (name + ".part")
        tmp.write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        tmp.replace(self.directory / name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--dir", required=True, help="where the requests are recorded")
    parser.add_argument("--keys", default="", help="the accepted keys (default: any)")
    parser.add_argument("--not-on-io", default="", help="fiscal codes without IO")
    parser.add_argument(
        "--opted-out", default="", help="fiscal codes that turned the service off"
    )
    parser.add_argument(
        "--throttle", type=int, default=0, help="answer 429 to the first K requests"
    )
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument(
        "--fail", type=int, default=None, help="answer every message with this status"
    )
    args = parser.parse_args(argv)

    def split(text):
        return [item.strip() for item in text.split(",") if item.strip()]

    standin = StandIn(
        args.dir,
        host=args.host,
        port=args.port,
        keys=split(args.keys),
        not_on_io=split(args.not_on_io),
        opted_out=split(args.opted_out),
        throttle=args.throttle,
        retry_after=args.retry_after,
        fail=args.fail,
    ).start()
    print(f"App IO stand-in on {standin.url} (requests in {args.dir})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
