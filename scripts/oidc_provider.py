"""A local OpenID Connect provider standing for the SPID/CIE broker.

A tool of development, not of the add-on: ``make start`` runs it beside
Zope, so that "Entra con SPID o CIE" works without the municipality's
broker, and the tests of ``test_identity.py`` start it on 127.0.0.1. It is
pyop's provider (discovery, JWKS, authorization code flow with PKCE, token,
userinfo) with a page that chooses one of a few demo citizens, who carry
the claims of the Italian SPID/CIE profile: ``given_name``,
``family_name``, ``email`` and ``https://attributes.eid.gov.it/fiscal_number``
(``TINIT-`` and a valid fiscal code). A test skips the page with
``demo_user=<id>`` in the authorization request's query.

Listens on 127.0.0.1 only; keeps everything in memory.

Usage: python scripts/oidc_provider.py [--port 8081]
    [--issuer http://127.0.0.1:8081] [--client-id civicreports]
    [--client-secret civicreports-demo]
    [--redirect-uri http://127.0.0.1:8080/Plone/acl_users/spid_cie/callback]...
"""

from Cryptodome.PublicKey import RSA
from html import escape
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import BearerTokenError
from pyop.exceptions import InvalidAccessToken
from pyop.exceptions import InvalidAuthenticationRequest
from pyop.exceptions import InvalidClientAuthentication
from pyop.exceptions import OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from stdnum.it import codicefiscale
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import argparse
import contextlib
import json
import secrets
import signal
import threading


FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"
CLIENT_ID = "civicreports"
CLIENT_SECRET = "civicreports-demo"


def fiscal_number(first15):
    """The SPID claim's value of a fiscal code's first 15 characters."""
    return "TINIT-" + first15 + codicefiscale.calc_check_digit(first15)


def demo_identity(user_id, given_name, family_name, first15, email):
    return {
        "sub": user_id,
        "given_name": given_name,
        "family_name": family_name,
        "name": f"{given_name} {family_name}",
        "email": email,
        "email_verified": True,
        FISCAL_NUMBER: fiscal_number(first15),
    }


IDENTITIES = {
    "mrossi": demo_identity(
        "mrossi", "Mario", "Rossi", "RSSMRA80A01B354", "mario.rossi@example.it"
    ),
    "lverdi": demo_identity(
        "lverdi", "Lucia", "Verdi", "VRDLCU75M41B354", "lucia.verdi@example.it"
    ),
    "gbianchi": demo_identity(
        "gbianchi",
        "Giuseppe",
        "Bianchi",
        "BNCGPP90C15B354",
        "giuseppe.bianchi@example.it",
    ),
}

PAGE = """<!doctype html>
<html lang="it"><head><meta charset="utf-8">
<title>Identity provider di prova</title></head>
<body><main>
<h1>Identity provider di prova (SPID/CIE)</h1>
<p>Solo per lo sviluppo: scegliere la persona con cui entrare.</p>
<form method="post" action="{action}">
<input type="hidden" name="query" value="{query}">
{buttons}
</form>
</main></body></html>
"""


class DemoProvider:
    """The provider, served by a thread; ``url`` is its issuer."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        issuer=None,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=(),
        identities=None,
    ):
        self.identities = dict(IDENTITIES if identities is None else identities)
        self.client_id = client_id
        self.client_secret = client_secret
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.port = self.server.server_address[1]
        self.url = (issuer or f"http://{host}:{self.port}").rstrip("/")
        self.clients = {
            client_id: {
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        }
        key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="demo")
        self.provider = Provider(
            key,
            {
                # oic checks that an issuer is https: the local one, on
                # http, is set right after.
                "issuer": "https://127.0.0.1",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "end_session_endpoint": f"{self.url}/logout",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "subject_types_supported": ["public"],
                "grant_types_supported": ["authorization_code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
                "claims_parameter_supported": True,
                "scopes_supported": ["openid", "profile", "email"],
            },
            AuthorizationState(HashBasedSubjectIdentifierFactory(secrets.token_hex())),
            self.clients,
            Userinfo(self.identities),
            # The scope some brokers give the fiscal number under.
            extra_scopes={"fiscal_number": [FISCAL_NUMBER]},
        )
        self.provider.configuration_information["issuer"] = self.url
        self._lock = threading.Lock()
        self._thread = None

    def add_redirect_uri(self, uri):
        """Register one more address of the client (a test's Zope port)."""
        uris = self.clients[self.client_id]["redirect_uris"]
        if uri not in uris:
            uris.append(uri)

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # The endpoints: (status, headers, body).

    def authorize(self, query, user_id=None):
        try:
            request = self.provider.parse_authentication_request(query)
        except InvalidAuthenticationRequest as error:
            return 400, {"Content-Type": "text/plain"}, f"Bad request: {error}"
        user_id = user_id or request.get("demo_user")
        if user_id not in self.identities:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self._page(query)
        with self._lock:
            response = self.provider.authorize(request, user_id)
        location = response.request(request["redirect_uri"])
        return 302, {"Location": location}, ""

    def _page(self, query):
        buttons = "\n".join(
            f'<p><button type="submit" name="demo_user" value="{escape(key)}">'
            f"{escape(claims['given_name'])} {escape(claims['family_name'])} "
            f"({escape(claims[FISCAL_NUMBER])})</button></p>"
            for key, claims in self.identities.items()
        )
        return PAGE.format(
            action=f"{self.url}/authorize", query=escape(query), buttons=buttons
        )

    def token(self, body, headers):
        try:
            with self._lock:
                response = self.provider.handle_token_request(body, headers)
        except InvalidClientAuthentication as error:
            return 401, _json_type(), error.to_json()
        except OAuthError as error:
            return 400, _json_type(), error.to_json()
        return 200, _json_type(), response.to_json()

    def userinfo(self, body, headers):
        try:
            with self._lock:
                response = self.provider.handle_userinfo_request(body, headers)
        except (BearerTokenError, InvalidAccessToken):
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, ""
        return 200, _json_type(), response.to_json()

    def logout(self, query):
        target = dict(parse_qsl(query)).get("post_logout_redirect_uri")
        if target:
            return 302, {"Location": target}, ""
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, "Uscita eseguita."


def _json_type():
    return {"Content-Type": "application/json", "Cache-Control": "no-store"}


def _handler(demo):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

        def _answer(self, status, headers, body):
            data = body.encode("utf-8")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            length = min(int(self.headers.get("Content-Length") or 0), 65536)
            return self.rfile.read(length).decode("utf-8")

        def _headers(self):
            found = self.headers.get("Authorization")
            return {"Authorization": found} if found else {}

        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                config = demo.provider.provider_configuration.to_json()
                return self._answer(200, _json_type(), config)
            if parts.path == "/jwks":
                return self._answer(200, _json_type(), json.dumps(demo.provider.jwks))
            if parts.path == "/authorize":
                return self._answer(*demo.authorize(parts.query))
            if parts.path == "/userinfo":
                return self._answer(*demo.userinfo(parts.query, self._headers()))
            if parts.path == "/logout":
                return self._answer(*demo.logout(parts.query))
            return self._answer(404, {"Content-Type": "text/plain"}, "Not found")

        def do_POST(self):
            path = urlsplit(self.path).path
            body = self._body()
            if path == "/authorize":
                form = dict(parse_qsl(body))
                query = form.get("query", "")
                return self._answer(*demo.authorize(query, form.get("demo_user")))
            if path == "/token":
                return self._answer(*demo.token(body, self._headers()))
            if path == "/userinfo":
                return self._answer(*demo.userinfo(body, self._headers()))
            return self._answer(404, {"Content-Type": "text/plain"}, "Not found")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--issuer", default=None)
    parser.add_argument("--client-id", default=CLIENT_ID)
    parser.add_argument("--client-secret", default=CLIENT_SECRET)
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="the callback of the Plone site; repeat for more",
    )
    args = parser.parse_args()
    demo = DemoProvider(
        port=args.port,
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uri
        or ["http://127.0.0.1:8080/Plone/acl_users/spid_cie/callback"],
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stopped.set())
    demo.start()
    print(f"OpenID Connect provider on {demo.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    demo.stop()


if __name__ == "__main__":
    main()
