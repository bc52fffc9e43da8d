"""Checks on reporter data that do not depend on Plone."""

import re


EMAIL_RE = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[A-Za-z]{2,}$")

# Italian fiscal code (codice fiscale) of a person. Digits may be replaced
# by the "omocodia" letters when two people would share the same code.
_OMOCODE = "LMNPQRSTUV"
_D = "[0-9LMNPQRSTUV]"
FISCAL_CODE_RE = re.compile(
    rf"^[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z]$"
)

_ODD_VALUES = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        # digits 0-9, then letters A-J (same values as the digits), then K-Z
        (1, 0, 5, 7, 9, 13, 15, 17, 19, 21) * 2
        + (2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23),
        strict=True,
    )
)


def _even_value(char):
    return int(char) if char.isdigit() else ord(char) - ord("A")


def fiscal_code_check_char(first15):
    """The control character of the first 15 characters of a fiscal code."""
    total = 0
    for position, char in enumerate(first15):
        # Positions are counted from 1 in the law: index 0 is "odd".
        total += _ODD_VALUES[char] if position % 2 == 0 else _even_value(char)
    return chr(ord("A") + total % 26)


def normalize_fiscal_code(value):
    return "".join((value or "").split()).upper()


def is_valid_fiscal_code(value):
    code = normalize_fiscal_code(value)
    if not FISCAL_CODE_RE.match(code):
        return False
    return fiscal_code_check_char(code[:15]) == code[15]


def is_valid_email(value):
    return bool(value) and len(value) <= 254 and bool(EMAIL_RE.match(value))


def is_valid_latitude(value):
    return isinstance(value, (int, float)) and -90.0 <= value <= 90.0


def is_valid_longitude(value):
    return isinstance(value, (int, float)) and -180.0 <= value <= 180.0
