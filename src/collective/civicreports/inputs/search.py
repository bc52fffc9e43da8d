"""What a citizen types in a search box, as a query for the catalog's
text index.

ZCTextIndex reads ``AND``, ``OR``, ``NOT``, parentheses and quotes as its
query language, and answers ``NOT``, ``(foo`` or ``a OR NOT b`` with a
ParseError. Citizens mean words: each word becomes a quoted term, and the
terms are all required, as the archive's search promises. A trailing
``*`` keeps its meaning (words starting so).
"""

import re


# Letters and digits of any script; "*" only at the end of a word.
_WORD_RE = re.compile(r"\w+\*?")
MAX_WORDS = 10


def text_query(text):
    """The query for ``SearchableText``, or None when nothing searchable
    is left (only punctuation)."""
    words = _WORD_RE.findall(text or "")[:MAX_WORDS]
    if not words:
        return None
    # A quoted word is a phrase of one word: never an operator.
    return " ".join(word if word.endswith("*") else f'"{word}"' for word in words)
