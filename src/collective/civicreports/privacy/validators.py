"""Checks of the reporter's identifiers, with the libraries that know them:
``python-stdnum`` for the fiscal code (its check character, the omocodia
letters), ``phonenumbers`` for phone numbers (Italian ones without the
country code)."""

from stdnum.it import codicefiscale

import phonenumbers
import re


EMAIL_RE = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[A-Za-z]{2,}$")
REGION = "IT"


def fiscal_code_check_char(first15):
    """The control character of the first 15 characters of a fiscal code."""
    return codicefiscale.calc_check_digit(first15)


def normalize_fiscal_code(value):
    return codicefiscale.compact(value or "")


def is_valid_fiscal_code(value):
    """A person's code: 16 characters (stdnum also takes the 11 digits of
    a company's, which are no reporter's)."""
    code = normalize_fiscal_code(value)
    return len(code) == 16 and codicefiscale.is_valid(code)


def is_valid_email(value):
    return bool(value) and len(value) <= 254 and bool(EMAIL_RE.match(value))


def is_valid_phone(value):
    """A number phones can call: Italian without +39, or international."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)
