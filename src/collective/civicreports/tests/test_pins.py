"""One pin file: buildout's versions.cfg must say what constraints.txt says."""

from pathlib import Path

import importlib.util
import unittest


ROOT = Path(__file__).resolve().parents[4]


class PinsTest(unittest.TestCase):
    def test_versions_cfg_follows_constraints(self):
        spec = importlib.util.spec_from_file_location(
            "versions_cfg", ROOT / "scripts" / "versions_cfg.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        expected = module.versions_cfg((ROOT / "constraints.txt").read_text())
        self.assertEqual((ROOT / "versions.cfg").read_text(), expected)

    def test_known_traps_are_pinned(self):
        pins = dict(
            line.split("==", 1)
            for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")
        )
        # 7.0 alphas break start-up (AccountPanelValidation import error).
        self.assertTrue(pins["plone.app.layout"].startswith("6."))
        # collective.geolocationbehavior imports pkg_resources.
        self.assertLess(int(pins["setuptools"].split(".")[0]), 81)
        self.assertTrue(pins["Products.CMFPlone"].startswith("6.2."))
