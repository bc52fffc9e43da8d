"""A WSGI filter for what Zope breaks on before any add-on can see it: a
path that is not UTF-8 (``/Plone/%FF``) raises UnicodeDecodeError in
ZPublisher's WSGI entry point, outside its own error handling, and the
server answers 500 for every address of the site. This answers 400.

In a ``zope.ini`` pipeline, before ``zope``: ``egg:collective.civicreports#strict_paths``.
"""

BODY = b"Bad Request: the address is not valid UTF-8.\n"


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
        return app(environ, start_response)

    return filtered
