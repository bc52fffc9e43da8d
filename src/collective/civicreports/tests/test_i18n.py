"""Every message has its Italian translation, with the same placeholders."""

from pathlib import Path
from pythongettext.msgfmt import Msgfmt

import gettext
import io
import re
import unittest


LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\$\{[^}]+\}")


def catalog(path):
    data = Msgfmt(str(path)).get()
    return gettext.GNUTranslations(io.BytesIO(data))._catalog


def _unquote(text):
    return text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def template_ids():
    """(msgid, English text): the text is the default of a symbolic id."""
    text = (LOCALES / "collective.civicreports.pot").read_text(encoding="utf-8")
    ids = []
    for block in text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if match:
            msgid = _unquote("".join(re.findall(r'"(.*)"', match.group(1))))
            default = re.search(r'^#\. Default: "(.*)"$', block, re.M)
            if msgid:
                ids.append((msgid, _unquote(default.group(1)) if default else msgid))
    return ids


class TranslationsTest(unittest.TestCase):
    def test_italian_is_complete(self):
        italian = catalog(LOCALES / "it" / "LC_MESSAGES" / "collective.civicreports.po")
        ids = template_ids()
        self.assertGreater(len(ids), 150)
        missing = [msgid for msgid, _text in ids if not italian.get(msgid)]
        self.assertEqual(missing, [])
        for msgid, text in ids:
            self.assertEqual(
                sorted(PLACEHOLDER.findall(text)),
                sorted(PLACEHOLDER.findall(italian[msgid])),
                msgid,
            )

    def test_english_catalog_exists(self):
        english = catalog(LOCALES / "en" / "LC_MESSAGES" / "collective.civicreports.po")
        self.assertIsInstance(english, dict)

    def test_plone_shows_our_titles_in_italian(self):
        """The state menu and the toolbar translate the workflow's and the
        types' titles in Plone's domain: ``plone.po`` has each of them, as
        our catalog translates it."""
        from collective.civicreports.testing import from_scripts

        titles = from_scripts("i18n").plone_titles()
        self.assertIn("Submitted", titles)
        self.assertIn("Moderation", titles)
        ours = catalog(LOCALES / "it" / "LC_MESSAGES" / "collective.civicreports.po")
        plone = catalog(LOCALES / "it" / "LC_MESSAGES" / "plone.po")
        self.assertEqual(
            {t: plone.get(t) for t in titles}, {t: ours[t] for t in titles}
        )
