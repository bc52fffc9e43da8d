"""Compressed stylesheets and scripts, and long caching of Plone's
content-addressed resources, on the sites where the add-on is installed.

Plone serves its own bundles and the theme (about 1 MB of CSS and
JavaScript on every page) uncompressed and without a lifetime unless
plone.app.caching or a proxy sees to it; on a phone's connection that is
most of the time a page takes to appear (``make bench`` measures it with
Lighthouse). The add-on cannot count on either, so it does the two safe
parts itself:

- gzip for CSS, JavaScript and SVG, the static files of Plone and of
  add-ons. HTML and JSON stay as they are: they carry the forms' tokens
  and reflect what the request sent, which compression would expose to a
  BREACH attack. A response already encoded (by Zope or an add-on) is
  left alone, and so is a proxy's work: it sees an encoded response.
- a year's lifetime, ``immutable``, for ``++webresource++`` addresses,
  whose name is the hash of the file's content: a new version of a file
  has a new address, so a cached copy is never stale.
"""

from collective.civicreports.interfaces import ICivicReportsLayer
from io import IOBase

import re


COMPRESSED_TYPES = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "image/svg+xml",
)
# Bigger files are rare among a site's scripts and styles; reading one
# into memory to compress it would cost more than it saves.
MAX_COMPRESSED = 4 * 1024 * 1024
# Smaller ones gain nothing worth a header.
MIN_COMPRESSED = 1024
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_ADDRESSED = re.compile(r"/\+\+webresource\+\+[0-9a-f-]{36}/")


def deliver(event):
    request = event.request
    if not ICivicReportsLayer.providedBy(request):
        return
    response = request.response
    if response.getStatus() != 200:
        return
    if CONTENT_ADDRESSED.search(request.get("PATH_INFO", "")):
        response.setHeader("Cache-Control", IMMUTABLE)
    compress(request, response)


def _accepts_gzip(request):
    accepted = request.get_header("Accept-Encoding", "") or ""
    return any(
        part.split(";")[0].strip().lower() == "gzip" for part in accepted.split(",")
    )


def compress(request, response):
    content_type = (response.getHeader("Content-Type") or "").split(";")[0].strip()
    if content_type.lower() not in COMPRESSED_TYPES:
        return
    if response.getHeader("Content-Encoding") or not _accepts_gzip(request):
        return
    body = response.body
    if isinstance(body, IOBase):
        # A file on disk (plone.resource, ++theme++): read it once, here.
        body.seek(0, 2)
        size = body.tell()
        if size > MAX_COMPRESSED:
            return
        body.seek(0)
        data = body.read()
        body.close()
    elif isinstance(body, bytes):
        data = body
    else:
        return
    if not MIN_COMPRESSED <= len(data) <= MAX_COMPRESSED:
        if body is not data:
            # The file is closed: it answers with what it read.
            response.setBody(data)
        return
    response.enableHTTPCompression(request)
    # setBody compresses, sets Content-Encoding, Content-Length, Vary.
    response.setBody(data)
