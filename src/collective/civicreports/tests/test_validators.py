from collective.civicreports.geo import territory
from collective.civicreports.privacy.validators import fiscal_code_check_char
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import is_valid_phone

import json
import unittest


class FiscalCodeTest(unittest.TestCase):
    def test_valid(self):
        for code in (
            "RSSMRA80A01H501U",
            "RSSMRA85T10A562S",
            "rssmra80a01h501u",
            "RSS MRA 80A01 H501U",
        ):
            self.assertTrue(is_valid_fiscal_code(code), code)

    def test_omocodia(self):
        # Digits replaced by letters when two people share a code.
        first15 = "RSSMRA80A01H50M"
        self.assertTrue(is_valid_fiscal_code(first15 + fiscal_code_check_char(first15)))

    def test_wrong_check_character(self):
        self.assertFalse(is_valid_fiscal_code("RSSMRA80A01H501X"))
        self.assertFalse(is_valid_fiscal_code("RSSMRA85T10A562T"))

    def test_malformed(self):
        for code in (
            "",
            "RSSMRA80A01H501",
            "RSSMRA80Z01H501U",
            "1SSMRA80A01H501U",
            "RSSMRA80A01H501UU",
        ):
            self.assertFalse(is_valid_fiscal_code(code), code)


class PhoneTest(unittest.TestCase):
    def test_valid(self):
        for number in (
            "3470001122",
            "347 000 1122",
            "+39 347 0001122",
            "070 123456",
            "+44 20 7946 0958",
        ):
            self.assertTrue(is_valid_phone(number), number)

    def test_invalid(self):
        for number in ("", "123", "347", "telefono", "+39 0", "00000000000000000"):
            self.assertFalse(is_valid_phone(number), number)


class EmailTest(unittest.TestCase):
    def test_email(self):
        self.assertTrue(is_valid_email("mario.rossi@comune.example.it"))
        for bad in (
            "",
            "mario",
            "mario@",
            "@example.org",
            "mario rossi@example.org",
            "a@b",
            "a,b@example.org",
        ):
            self.assertFalse(is_valid_email(bad), bad)


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[9.0, 39.0], [10.0, 39.0], [10.0, 40.0], [9.0, 40.0], [9.0, 39.0]]
    ],
}
HOLED = {
    "type": "Polygon",
    "coordinates": SQUARE["coordinates"]
    + [[[9.4, 39.4], [9.6, 39.4], [9.6, 39.6], [9.4, 39.6], [9.4, 39.4]]],
}


class TerritoryTest(unittest.TestCase):
    def test_polygon(self):
        self.assertTrue(territory.contains(SQUARE, 39.5, 9.5))
        self.assertFalse(territory.contains(SQUARE, 40.5, 9.5))
        self.assertFalse(territory.contains(SQUARE, 39.5, 8.9))

    def test_hole(self):
        self.assertFalse(territory.contains(HOLED, 39.5, 9.5))
        self.assertTrue(territory.contains(HOLED, 39.2, 9.2))

    def test_text_feature_and_multipolygon(self):
        feature = json.dumps({"type": "Feature", "geometry": SQUARE, "properties": {}})
        self.assertTrue(territory.contains(feature, 39.5, 9.5))
        multi = {
            "type": "MultiPolygon",
            "coordinates": [SQUARE["coordinates"], [[[0, 0], [1, 0], [1, 1], [0, 0]]]],
        }
        self.assertTrue(territory.contains(multi, 0.2, 0.5))
        self.assertFalse(territory.contains(multi, 5, 5))

    def test_not_a_polygon(self):
        with self.assertRaises(ValueError):
            territory.polygons({"type": "Point", "coordinates": [9, 39]})
