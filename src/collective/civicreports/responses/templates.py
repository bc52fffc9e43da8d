"""Response templates: ready-made texts for the offices' answers and
questions, per category, written by the administrators as blocks::

    == Fixed | answer | roads, lighting
    The problem reported in ${address} has been fixed.

The header says the title, the use (the public ``answer``, or a
``question`` to the citizen, in English or in the site's language) and, optionally, the categories it is for
(none: every category). ``parse`` reads them; ``offered`` gives those for
a report with their placeholders filled in from its public facts (never
from the reporter's data: an answer is public).
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.settings import site_language
from collective.civicreports.responses.interfaces import IResponseSettings
from collective.civicreports.responses.interfaces import PREFIX
from dataclasses import dataclass
from plone import api
from string import Template
from zope.i18n import translate

import re


USES = ("answer", "question")
# The word of each use in a header, in English or in the site's language.
USE_WORDS = {
    "answer": _("use_answer", default="answer"),
    "question": _("use_question", default="question"),
}
PLACEHOLDERS = ("number", "title", "address", "category", "office")
MAX_TEMPLATES = 100
_PLACEHOLDER_RE = re.compile(r"\$\{([^}]*)\}")


class TemplateSyntaxError(ValueError):
    """A block of the setting that is not a template; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResponseTemplate:
    title: str
    use: str
    categories: tuple  # empty: every category
    text: str


def parse(text):
    """The templates of the setting's text; TemplateSyntaxError if a block
    cannot be read."""
    found = []
    current = None
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.startswith("=="):
            if current is not None:
                found.append(_finish(current))
            current = _header(line[2:], number) + ([],)
        elif current is None:
            if line.strip():
                raise TemplateSyntaxError(
                    _(
                        "Line ${line}: a template starts with a line '== title | use'.",
                        mapping={"line": number},
                    )
                )
        else:
            current[-1].append(line)
    if current is not None:
        found.append(_finish(current))
    if len(found) > MAX_TEMPLATES:
        raise TemplateSyntaxError(
            _("At most ${count} templates.", mapping={"count": MAX_TEMPLATES})
        )
    return found


def use_of(word):
    """The use a header's word names, or None."""
    language = site_language()
    for use, message in USE_WORDS.items():
        if word.lower() in (use, translate(message, target_language=language).lower()):
            return use
    return None


def _header(header, number):
    parts = [part.strip() for part in header.split("|")]
    use = use_of(parts[1]) if len(parts) in (2, 3) else None
    if not parts[0] or use is None:
        raise TemplateSyntaxError(
            _(
                "Line ${line}: write '== title | answer' or '== title | question', "
                "optionally with '| category, category'.",
                mapping={"line": number},
            )
        )
    categories = tuple(
        c.strip() for c in (parts[2] if len(parts) == 3 else "").split(",") if c.strip()
    )
    for category in categories:
        if get_category(category) is None:
            raise TemplateSyntaxError(
                _(
                    "Line ${line}: there is no category ${category}.",
                    mapping={"line": number, "category": category},
                )
            )
    return parts[0], use, categories, number


def _finish(current):
    title, use, categories, number, lines = current
    text = "\n".join(lines).strip()
    if not text:
        raise TemplateSyntaxError(
            _("Line ${line}: the template has no text.", mapping={"line": number})
        )
    unknown = set(_PLACEHOLDER_RE.findall(text)) - set(PLACEHOLDERS)
    if unknown:
        raise TemplateSyntaxError(
            _(
                "Line ${line}: unknown placeholder ${name}.",
                mapping={"line": number, "name": sorted(unknown)[0]},
            )
        )
    return ResponseTemplate(title, use, categories, text)


def configured():
    """The templates of the setting; none if it cannot be read (the control
    panel refuses such a text, a script might not)."""
    text = api.portal.get_registry_record(
        f"{PREFIX}.templates", default=IResponseSettings["templates"].default
    )
    try:
        return parse(text)
    except TemplateSyntaxError:
        return []


def offered(report, use):
    """{"title", "text"} of the templates for the report's category and
    this use, their placeholders filled in."""
    category = get_category(report.category)
    values = {
        "number": report.tracking_number or "",
        "title": report.title or "",
        "address": report.address or "",
        "category": category.title if category is not None else report.category,
        "office": group_title(report.office),
    }
    return [
        {
            "title": template.title,
            "text": Template(template.text).safe_substitute(values),
        }
        for template in configured()
        if template.use == use
        and (not template.categories or report.category in template.categories)
    ]
