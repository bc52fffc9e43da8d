"""A WSGI filter for what Zope breaks on before any add-on can see it: a
path that is not UTF-8 (``/Plone/%FF``) raises UnicodeDecodeError in
ZPublisher's WSGI entry point, outside its own error handling, and the
server answers 500 for every address of the site. This answers 400.

It also keeps the body out of the answers to ``HEAD``: Zope's and
plone.rest's error answers (401, 404) carry one, and waitress sends what the
application gives. A client then reads those bytes as the start of its
next answer on the same connection (``BadStatusLine('{')``), which the
route-discovery tests met once in 40,000 requests.

In a ``zope.ini`` pipeline, before ``zope``: ``egg:collective.civicreports#strict_paths``.
"""

BODY = b"Bad Request: the address is not valid UTF-8.\n"


def _without_body(app_iter):
    # Run the application to its end (headers are sent with the first
    # chunk), keep none of it.
    try:
        for _chunk in app_iter:
            pass
    finally:
        if hasattr(app_iter, "close"):
            app_iter.close()
    return [b""]


def strict_paths(app, global_config=None, **settings):
    def filtered(environ, start_response):
        # PEP 3333 gives the path as latin-1 text of the bytes received.
        try:
            environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(BODY))),
                ],
            )
            return [BODY]
        if environ.get("REQUEST_METHOD") == "HEAD":
            return _without_body(app(environ, start_response))
        return app(environ, start_response)

    return filtered
