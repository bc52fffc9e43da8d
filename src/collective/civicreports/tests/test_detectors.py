"""Detection and redaction of personal data; pure Python, no Plone layer."""

from collective.civicreports.privacy.detectors import find_personal_data
from collective.civicreports.privacy.detectors import KINDS
from collective.civicreports.privacy.detectors import Match
from collective.civicreports.privacy.detectors import OMISSIS
from collective.civicreports.privacy.detectors import redact
from collective.civicreports.privacy.detectors import redact_all
from collective.civicreports.privacy.validators import fiscal_code_check_char

import unittest


def found(text, names=()):
    """(kind, text) of every match, in order."""
    return [(m.kind, m.text) for m in find_personal_data(text, names)]


class DetectorTestCase(unittest.TestCase):
    kind = None

    def assertFound(self, text, expected, names=()):
        """``expected`` is found alone, with its exact span."""
        start = text.index(expected)
        self.assertEqual(
            find_personal_data(text, names),
            [Match(self.kind, start, start + len(expected), expected)],
        )

    def assertNothing(self, text, names=()):
        self.assertEqual(find_personal_data(text, names), [], text)


class FiscalCodeTest(DetectorTestCase):
    kind = "fiscal_code"

    def test_found(self):
        self.assertFound("Il mio CF è RSSMRA80A01H501U.", "RSSMRA80A01H501U")
        self.assertFound("(RSSMRA85T10A562S)", "RSSMRA85T10A562S")
        self.assertFound("cf: rssmra80a01h501u", "rssmra80a01h501u")

    def test_omocodia(self):
        first15 = "RSSMRA80A01H50M"
        code = first15 + fiscal_code_check_char(first15)
        self.assertFound(f"codice {code} ok", code)

    def test_wrong_check_character_looks_like_one(self):
        self.assertEqual(
            found("codice RSSMRA80A01H501X"),
            [("fiscal_code_like", "RSSMRA80A01H501X")],
        )
        first15 = "RSSMRA80A01H50M"
        wrong = "A" if fiscal_code_check_char(first15) != "A" else "B"
        self.assertEqual(
            found(first15 + wrong), [("fiscal_code_like", first15 + wrong)]
        )

    def test_random_tokens(self):
        self.assertNothing("token A1B2C3D4E5F6G7H8")
        self.assertNothing("token ABCDEFGHIJKLMNOP")

    def test_glued_in_longer_word(self):
        self.assertNothing("XRSSMRA80A01H501U")
        self.assertNothing("RSSMRA80A01H501U1")
        self.assertNothing("cèRSSMRA80A01H501U")


class EmailTest(DetectorTestCase):
    kind = "email"

    def test_found(self):
        self.assertFound("Scrivete a mario.rossi@example.it.", "mario.rossi@example.it")
        self.assertFound("<m+tag@comune.cagliari.it>", "m+tag@comune.cagliari.it")
        self.assertFound("niccolò@esempio.it", "niccolò@esempio.it")

    def test_not_found(self):
        for text in ("user@", "@domain.it", "scrivi a user@ oggi", "mario@localhost"):
            self.assertNothing(text)


class PhoneTest(DetectorTestCase):
    kind = "phone"

    def test_mobile(self):
        for number in (
            "3331234567",
            "333 123 4567",
            "333-1234567",
            "333.123.4567",
            "333 123456",
            "+39 333 1234567",
            "+393331234567",
            "0039 3331234567",
            "00393331234567",
        ):
            self.assertFound(f"Chiamare il {number}, grazie", number)

    def test_landline(self):
        for number in ("070 1234567", "02/12345678", "0362 263212", "070-1234567"):
            self.assertFound(f"tel. {number} ore ufficio", number)
        self.assertFound("+39 070 1234567", "+39 070 1234567")

    def test_trailing_number_is_not_part_of_the_phone(self):
        self.assertFound("chiamato 333 1234567 2 volte", "333 1234567")

    def test_plate_is_not_a_phone(self):
        self.assertEqual(found("targa AB 123 CD"), [("plate", "AB 123 CD")])

    def test_not_phones(self):
        for text in (
            "Dal 2026",
            "pratica 2026-000123",
            "via Roma civico 12",
            "il 25/11/2026",
            "il 05/11/2026",
            "CAP 09124",
            "costo 1.000 euro",
            "costo 300.000.000 euro",
            "ore 10.30",
            "dalle 09.30-10.30",
            "333 12345",  # too short for a mobile
            "3331234567890",  # too long
            "tel3331234567",
            "3331234567abc",
        ):
            self.assertNothing(text)


class IbanTest(DetectorTestCase):
    kind = "iban"

    def test_found(self):
        self.assertFound(
            "IBAN: IT60 X054 2811 1010 0000 0123 456.",
            "IT60 X054 2811 1010 0000 0123 456",
        )
        self.assertFound(
            "IBAN IT60X0542811101000000123456", "IT60X0542811101000000123456"
        )
        self.assertFound("GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32")

    def test_wrong_checksum(self):
        self.assertNothing("IT60X0542811101000000123457")
        self.assertNothing("IT60 X054 2811 1010 0000 0123 457")
        self.assertNothing("IT61X0542811101000000123456")

    def test_italian_length(self):
        self.assertNothing("IT60X05428111010000001234560")


class PlateTest(DetectorTestCase):
    kind = "plate"

    def test_found(self):
        for plate in ("AB 123 CD", "AB123CD", "AB-123-CD"):
            self.assertFound(f"auto targata {plate} in sosta", plate)

    def test_not_found(self):
        for text in ("AI 123 CD", "AB 123 CO", "ab123cd", "ABC123DE", "AB 123-CD"):
            self.assertNothing(text)


class NameTest(DetectorTestCase):
    kind = "name"

    def test_full_name_and_parts(self):
        text = "Ho visto Mario Rossi e poi rossi"
        self.assertEqual(
            find_personal_data(text, ["Mario Rossi"]),
            [Match("name", 9, 20, "Mario Rossi"), Match("name", 27, 32, "rossi")],
        )

    def test_surname_first(self):
        self.assertEqual(
            found("firmato ROSSI MARIO", ["Mario Rossi"]),
            [("name", "ROSSI"), ("name", "MARIO")],
        )

    def test_whole_words_only(self):
        self.assertNothing("via Rossini, Mariotti", ["Mario Rossi"])

    def test_accented(self):
        self.assertEqual(
            found("NICCOLÒ BIANCHI e poi Niccolò", ["Niccolò Bianchi"]),
            [("name", "NICCOLÒ BIANCHI"), ("name", "Niccolò")],
        )
        self.assertNothing("Niccolòx", ["Niccolò"])

    def test_short_parts_and_empty_names(self):
        self.assertFound(
            "Ho incontrato Anna De Rosa e De", "Anna De Rosa", ["Anna De Rosa"]
        )
        self.assertNothing("Ho visto Mario", ["", None, "  "])

    def test_single_string(self):
        self.assertFound("firmato Rossi", "Rossi", "Mario Rossi")


class FindTest(unittest.TestCase):
    def test_kinds(self):
        """Every kind found has a title for the moderators."""
        from collective.civicreports.reports.moderation import FINDING_TITLES

        self.assertEqual(set(KINDS), set(FINDING_TITLES))

    def test_empty(self):
        self.assertEqual(find_personal_data(None), [])
        self.assertEqual(find_personal_data(""), [])
        self.assertEqual(find_personal_data("Buca in via Roma", ["Mario Rossi"]), [])

    def test_longest_wins(self):
        self.assertEqual(
            found("scrivere a mario.rossi@example.it", ["Mario Rossi"]),
            [("email", "mario.rossi@example.it")],
        )

    def test_earliest_wins_between_equal_lengths(self):
        self.assertEqual(
            found("Anna Maria Rosa", ["Anna Maria", "Maria Rosa"]),
            [("name", "Anna Maria"), ("name", "Rosa")],
        )

    def test_sorted_by_start(self):
        text = "AB 123 CD, 3331234567, RSSMRA80A01H501U, Mario"
        matches = find_personal_data(text, ["Mario"])
        self.assertEqual(
            [m.kind for m in matches], ["plate", "phone", "fiscal_code", "name"]
        )
        for match in matches:
            self.assertEqual(text[match.start : match.end], match.text)

    def test_long_text(self):
        text = "Buca in via Roma civico 12, 25/11/2026 ore 10.30. " * 2000
        text += "a" * 20000 + "3 " * 10000 + "x@" * 5000 + " Mario Rossi"
        self.assertGreater(len(text), 100_000)
        self.assertEqual(found(text, ["Mario Rossi"]), [("name", "Mario Rossi")])


SENTENCE = (
    "Sono Mario Rossi (RSSMRA80A01H501U), tel. +39 333 1234567, "
    "mario.rossi@example.it, auto AB 123 CD, IBAN IT60X0542811101000000123456."
)


class RedactTest(unittest.TestCase):
    def test_several_kinds(self):
        self.assertEqual(
            redact(SENTENCE, find_personal_data(SENTENCE, ["Mario Rossi"])),
            "Sono [omissis] ([omissis]), tel. [omissis], "
            "[omissis], auto [omissis], IBAN [omissis].",
        )

    def test_redact_all(self):
        self.assertEqual(
            redact_all(SENTENCE, ["Mario Rossi"]),
            redact(SENTENCE, find_personal_data(SENTENCE, ["Mario Rossi"])),
        )
        self.assertNotIn("Rossi", redact_all(SENTENCE, ["Mario Rossi"]))

    def test_any_order_and_subset(self):
        text = "Mario e Luigi"
        mario = Match("name", 0, 5, "Mario")
        luigi = Match("name", 8, 13, "Luigi")
        self.assertEqual(redact(text, [luigi, mario]), f"{OMISSIS} e {OMISSIS}")
        self.assertEqual(redact(text, [luigi]), f"Mario e {OMISSIS}")
        self.assertEqual(redact(text, []), text)

    def test_overlapping(self):
        with self.assertRaises(ValueError):
            redact(
                "Mario Rossi",
                [Match("name", 0, 11, "Mario Rossi"), Match("name", 6, 11, "Rossi")],
            )

    def test_stale_match(self):
        with self.assertRaises(ValueError):
            redact("Luigi Rossi", [Match("name", 0, 5, "Mario")])

    def test_empty(self):
        self.assertEqual(redact(None, []), "")
        self.assertEqual(redact_all(None), "")
        self.assertEqual(redact_all(""), "")
        self.assertEqual(redact_all("Buca in via Roma"), "Buca in via Roma")
