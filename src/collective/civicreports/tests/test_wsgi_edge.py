"""The WSGI filter of the instances (``inputs/wsgi.py``), over real HTTP:
answers to ``HEAD`` carry no body, so a keep-alive connection stays in step
(Zope's and plone.rest's error answers had one)."""

from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import report_in
from urllib.parse import urlparse

import base64
import http.client
import socket
import transaction
import unittest


class HeadTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        portal = self.layer["portal"]
        login_as(portal, "admin")
        report = report_in(portal, "assigned")
        transaction.commit()
        self.photo = urlparse(report.objectValues()[0].absolute_url())
        self.folder = urlparse(portal["segnalazioni"].absolute_url())
        self.auth = "Basic " + base64.b64encode(b"waste:waste").decode()
        self.paths = [
            self.photo.path + "/@tus-upload",  # 401, as JSON
            self.photo.path + "/no-such-thing",  # 404
            self.folder.path,  # 200, a page
        ]

    def raw_head(self, path):
        """The bytes after the headers of a HEAD answer."""
        with socket.create_connection((self.folder.hostname, self.folder.port)) as s:
            s.sendall(
                f"HEAD {path} HTTP/1.1\r\nHost: {self.folder.netloc}\r\n"
                f"Accept: application/json\r\nAuthorization: {self.auth}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            s.settimeout(10)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 "), head)
        return rest

    def test_no_body(self):
        for path in self.paths:
            self.assertEqual(self.raw_head(path), b"", path)

    def test_the_connection_stays_in_step(self):
        connection = http.client.HTTPConnection(
            self.folder.hostname, self.folder.port, timeout=30
        )
        headers = {"Accept": "application/json", "Authorization": self.auth}
        for path in self.paths:
            connection.request("HEAD", path, headers=headers)
            connection.getresponse().read()
            # Left-over bytes would be read as this answer's status line.
            connection.request("GET", self.folder.path)
            response = connection.getresponse()
            response.read()
            self.assertEqual(response.status, 200, path)
        connection.close()
