"""Find and redact personal data in the text of a citizen's report.

Reports are published after moderation and their title and description must
never publish personal data. The moderation view highlights what
``find_personal_data`` finds, and one click replaces a match with ``OMISSIS``.

Where a checksum exists (fiscal codes, IBANs, with ``python-stdnum``) it
decides: an IBAN with a wrong checksum is not reported, and a fiscal code
with a wrong check character is reported as one that only looks like a
fiscal code (``fiscal_code_like``): the shape is strict enough that it is
mostly a real code mistyped, which is personal data all the same. Numbers
in Italian prose are mostly dates, amounts, house numbers and tracking
codes, so phone numbers are only reported when ``phonenumbers`` takes them
for valid ones. This is an aid for the moderator, who still reads the text:
it is not a guarantee.

Pure Python on purpose (no Zope/Plone import). Every pattern starts on a
boundary and has bounded repetitions, so the scan stays linear on long texts.
"""

from collections.abc import Iterable
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import is_valid_phone
from collective.civicreports.privacy.validators import REGION
from dataclasses import dataclass
from stdnum import iban

import bisect
import phonenumbers
import re


OMISSIS = "[omissis]"
KINDS = ("fiscal_code", "phone", "email", "iban", "plate", "name", "fiscal_code_like")


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    text: str


# Explicit ASCII classes, not re.IGNORECASE: in Unicode mode [a-z] would also
# match "ı", "ſ" and the Kelvin sign, which upper() turns into valid letters.
_OMO = "[0-9LMNPQRSTUVlmnpqrstuv]"  # a digit or its omocodia letter
_MONTH = "[ABCDEHLMPRSTabcdehlmprst]"
_FISCAL_CODE_RE = re.compile(
    rf"(?<!\w)[A-Za-z]{{6}}{_OMO}{{2}}{_MONTH}{_OMO}{{2}}[A-Za-z]{_OMO}{{3}}[A-Za-z](?!\w)"
)

# The lookbehind makes a match start where the address starts, so a long run
# of letters is scanned once and not once per position.
_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")

# Country code, check digits, then 11 to 30 characters, optionally in groups of 4.
_IBAN_RE = re.compile(
    r"(?<!\w)[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?!\w)"
)

# AA 123 BC: plates never use I, O, Q and U. Upper case only, so that words
# and codes in lower case are not taken for plates; one separator style.
_PLATE_LETTERS = "[A-HJ-NPR-TV-Z]{2}"
_PLATE_RE = re.compile(
    rf"(?<![\w-]){_PLATE_LETTERS}([ -]?)[0-9]{{3}}\1{_PLATE_LETTERS}(?![\w-])"
)


def _phones(text):
    """(start, end) of the phone numbers in ``text``: those ``phonenumbers``
    finds valid for Italy (or international), each less a trailing group of
    one or two digits it swallowed when the number is valid without it
    ("333 1234567 2 volte")."""
    for found in phonenumbers.PhoneNumberMatcher(
        text, REGION, leniency=phonenumbers.Leniency.VALID
    ):
        start, raw = found.start, found.raw_string
        while " " in raw:
            head, tail = raw.rsplit(" ", 1)
            if len(tail) > 2 or not is_valid_phone(head):
                break
            raw = head
        yield start, start + len(raw)


def _name_patterns(names):
    """The full names, and every part of 3+ letters on its own."""
    if isinstance(names, str):  # a single name instead of a list of names
        names = (names,)
    patterns = set()
    for name in names:
        parts = (name or "").split()
        if not parts:
            continue
        patterns.add(r"\s+".join(map(re.escape, parts)))
        for part in parts:
            if sum(char.isalpha() for char in part) >= 3:
                patterns.add(re.escape(part))
    return patterns


def _candidates(text, names):
    for found in _FISCAL_CODE_RE.finditer(text):
        valid = is_valid_fiscal_code(found.group())
        yield "fiscal_code" if valid else "fiscal_code_like", found.start(), found.end()
    for start, end in _phones(text):
        yield "phone", start, end
    for found in _EMAIL_RE.finditer(text):
        yield "email", found.start(), found.end()
    for found in _IBAN_RE.finditer(text):
        if iban.is_valid(found.group()):
            yield "iban", found.start(), found.end()
    for found in _PLATE_RE.finditer(text):
        yield "plate", found.start(), found.end()
    for pattern in _name_patterns(names):
        # \w is Unicode-aware, so "Niccolò" ends on a word boundary.
        for found in re.finditer(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE):
            yield "name", found.start(), found.end()


def _resolve_overlaps(matches):
    """Keep the longest match, then the earliest, then the first kind in KINDS.

    So a full name beats its parts and an IBAN beats the digits inside it.
    The kept matches are non-overlapping and sorted by start, which lets
    bisect find the only two neighbours a new match could overlap.
    """
    ranked = sorted(
        matches, key=lambda m: (m.start - m.end, m.start, KINDS.index(m.kind))
    )
    starts, ends, kept = [], [], []
    for match in ranked:
        index = bisect.bisect_left(starts, match.start)
        if index > 0 and ends[index - 1] > match.start:
            continue
        if index < len(starts) and starts[index] < match.end:
            continue
        starts.insert(index, match.start)
        ends.insert(index, match.end)
        kept.insert(index, match)
    return kept


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[Match]:
    """All matches, sorted by start; overlapping matches resolved by keeping the
    longest (then the earliest)."""
    if not text:
        return []
    return _resolve_overlaps(
        Match(kind, start, end, text[start:end])
        for kind, start, end in _candidates(text, names)
    )


def redact(text: str, matches: Iterable[Match]) -> str:
    """Replace each match with OMISSIS (matches may be given in any order; they
    must be non-overlapping; apply from the end so offsets stay valid).

    A match whose text is no longer at its offsets (the text was edited after
    the matches were found) raises ValueError instead of hiding the wrong words.
    """
    text = text or ""
    pieces = []
    end = len(text)
    for match in sorted(matches, key=lambda m: m.start, reverse=True):
        if match.end > end:
            raise ValueError(f"Overlapping match: {match!r}")
        if match.start < 0 or text[match.start : match.end] != match.text:
            raise ValueError(f"Match not found in the text: {match!r}")
        pieces += [text[match.end : end], OMISSIS]
        end = match.start
    pieces.append(text[:end])
    return "".join(reversed(pieces))


def redact_all(text: str, names: Iterable[str] = ()) -> str:
    return redact(text, find_personal_data(text, names))
