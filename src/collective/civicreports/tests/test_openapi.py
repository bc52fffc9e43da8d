"""The running server against the OpenAPI document of docs/openapi.yaml,
with schemathesis: no server error, and every answer as described."""

from collective.civicreports.testing import SERVER_TESTING
from pathlib import Path

import os
import subprocess
import sys
import tempfile
import unittest


ROOT = Path(__file__).resolve().parents[4]
SCHEMA = ROOT / "docs" / "openapi.yaml"


class OpenAPITest(unittest.TestCase):
    layer = SERVER_TESTING

    def test_schemathesis(self):
        st = Path(sys.executable).parent / "st"
        result = subprocess.run(
            [
                st,
                "run",
                SCHEMA,
                "--url",
                self.layer["portal"].absolute_url(),
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance",
                "--max-examples",
                "25",
                "--seed",
                "20261125",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--no-color",
                # The coverage phase also sends methods no endpoint has (such
                # as QUERY), which Zope's publisher answers with 500 before
                # any of our code runs: not what this test is about.
                "--phases",
                "examples,fuzzing",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            env=dict(os.environ, SCHEMATHESIS_HOOKS=""),
            # schemathesis keeps a cache in its working directory.
            cwd=tempfile.mkdtemp(prefix="civicreports-schemathesis-"),
        )
        summary = "\n".join(result.stdout.splitlines()[-25:])
        print("\nschemathesis:\n" + summary)
        self.assertEqual(
            result.returncode, 0, result.stdout[-6000:] + result.stderr[-2000:]
        )
