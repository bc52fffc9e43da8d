"""Drafts of the report form kept on the site (reports/drafts.py)."""

from collective.civicreports.jobs import daily
from collective.civicreports.reports import drafts
from collective.civicreports.testing import INTEGRATION_TESTING
from datetime import datetime

import time
import unittest


class DraftsTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]

    def test_one_draft_per_citizen_replaced_on_save(self):
        drafts.save(self.folder, "carla", [("title", "Uno")], [b"jpeg"])
        drafts.save(self.folder, "carla", [("title", "Due")])
        drafts.save(self.folder, "luca", [("title", "Tre")])
        draft = drafts.load(self.folder, "carla")
        self.assertEqual(draft.values, [("title", "Due")])
        self.assertEqual(draft.photos, [])
        self.assertEqual(drafts.load(self.folder, "luca").values, [("title", "Tre")])
        self.assertIsNone(drafts.load(self.folder, "nobody"))

    def test_values_are_bounded(self):
        values = [(f"answer-{i}", "x") for i in range(drafts.MAX_VALUES + 50)]
        drafts.save(self.folder, "carla", values)
        self.assertEqual(
            len(drafts.load(self.folder, "carla").values), drafts.MAX_VALUES
        )

    def test_expired_drafts_are_not_resumed_and_are_forgotten_daily(self):
        long_ago = time.time() - drafts.LIFETIME - 60
        drafts.save(self.folder, "carla", [("title", "Vecchia")], now=long_ago)
        drafts.save(self.folder, "luca", [("title", "Nuova")])
        self.assertIsNone(drafts.load(self.folder, "carla"))
        self.assertEqual(daily.forget_old_drafts(self.portal, datetime.now()), 1)
        self.assertEqual(list(drafts._store(self.folder).keys()), ["luca"])
        self.assertEqual(daily.forget_old_drafts(self.portal, datetime.now()), 0)

    def test_discard(self):
        drafts.save(self.folder, "carla", [("title", "Uno")])
        drafts.discard(self.folder, "carla")
        drafts.discard(self.folder, "carla")
        self.assertIsNone(drafts.load(self.folder, "carla"))


class ReporterKeyTest(unittest.TestCase):
    """The citizen's area reads the reporter index without writing."""

    layer = INTEGRATION_TESTING

    def test_reading_makes_no_secret(self):
        from collective.civicreports.content.indexers import reporter_key
        from collective.civicreports.content.indexers import SECRET_KEY
        from zope.annotation.interfaces import IAnnotations

        annotations = IAnnotations(self.layer["portal"])
        annotations.pop(SECRET_KEY, None)
        self.assertIsNone(reporter_key("citizen", create=False))
        self.assertNotIn(SECRET_KEY, annotations)
        key = reporter_key("citizen")
        self.assertEqual(reporter_key("citizen", create=False), key)
        self.assertNotEqual(reporter_key("luca"), key)
