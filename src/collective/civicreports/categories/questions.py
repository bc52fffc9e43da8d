"""Extra questions of a category ("How deep is the hole?").

Administrators write them in the category's control panel, one per line::

    code | datatype | question | key=Name; key=Name

A ``*`` after the code makes the question required. The datatypes are
those of Open311 GeoReport v2 (``string``, ``text``, ``number``,
``datetime``, ``singlevaluelist``, ``multivaluelist``); the list types need
their values. Every way in (the form, REST, Open311) checks the answers
here, and the report keeps them with the question as it was asked, so that
a later change of the category does not change what the citizen answered.

Answers are the reporter's: they are read with the reporter's data, never
published (they may hold anything the citizen typed).
"""

from collective.civicreports import _
from collective.civicreports.inputs.numbers import parse_float
from collective.civicreports.inputs.params import moment
from collective.civicreports.inputs.text import BadInput
from dataclasses import dataclass
from dataclasses import field
from zope.i18n import translate
from zope.interface import Invalid

import re


DATATYPES = (
    "string",
    "text",
    "number",
    "datetime",
    "singlevaluelist",
    "multivaluelist",
)
LISTS = ("singlevaluelist", "multivaluelist")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_STRING = 200
MAX_TEXT = 2000
MAX_QUESTIONS = 20

# What clients are told of each datatype (Open311 datatype_description).
DATATYPE_DESCRIPTIONS = {
    "string": _("A short answer, on one line."),
    "text": _("A longer answer."),
    "number": _("A number."),
    "datetime": _("A date, as 2026-05-31, or a date and time."),
    "singlevaluelist": _("One of the values."),
    "multivaluelist": _("One or more of the values."),
}


class QuestionSyntaxError(ValueError):
    """A line of the control panel that is not a question."""


@dataclass
class Question:
    code: str
    datatype: str
    text: str
    required: bool = False
    values: list = field(default_factory=list)  # (key, name) pairs

    def value_name(self, key):
        return dict(self.values).get(key, key)


def parse_line(line):
    """The Question of one line; raises QuestionSyntaxError."""
    parts = [part.strip() for part in line.split("|")]
    if len(parts) not in (3, 4):
        raise QuestionSyntaxError(
            _("Write code | datatype | question, and | values for the lists.")
        )
    code, datatype, text = parts[:3]
    required = code.endswith("*")
    code = code.rstrip("*").strip()
    if not CODE_RE.match(code):
        raise QuestionSyntaxError(
            _(
                "${code}: a code is lowercase letters, digits and '_', "
                "starting with a letter.",
                mapping={"code": code},
            )
        )
    if datatype not in DATATYPES:
        raise QuestionSyntaxError(
            _(
                "${datatype}: the datatype is one of ${datatypes}.",
                mapping={"datatype": datatype, "datatypes": ", ".join(DATATYPES)},
            )
        )
    if not text:
        raise QuestionSyntaxError(
            _("${code}: write the question.", mapping={"code": code})
        )
    values = _values(parts[3]) if len(parts) == 4 and parts[3] else []
    if datatype in LISTS and not values:
        raise QuestionSyntaxError(
            _("${code}: a list needs its values.", mapping={"code": code})
        )
    if datatype not in LISTS and values:
        raise QuestionSyntaxError(
            _("${code}: only the lists have values.", mapping={"code": code})
        )
    return Question(code, datatype, text, required, values)


def _values(text):
    values = []
    for item in text.split(";"):
        key, equals, name = (part.strip() for part in item.partition("="))
        if not item.strip():
            continue
        if not equals or not KEY_RE.match(key) or not name:
            raise QuestionSyntaxError(
                _(
                    "${value}: write each value as key=Name, separated by ';'.",
                    mapping={"value": item.strip()},
                )
            )
        if key in dict(values):
            raise QuestionSyntaxError(
                _("${key}: each value needs its own key.", mapping={"key": key})
            )
        values.append((key, name))
    return values


def check_lines(lines):
    """The constraint of the control panel field: a clear message with the
    number of the line at fault."""
    codes = set()
    written = [line for line in lines or () if line and line.strip()]
    if len(written) > MAX_QUESTIONS:
        raise Invalid(_("A category has at most 20 questions."))
    for number, line in enumerate(written, start=1):
        try:
            question = parse_line(line)
        except QuestionSyntaxError as error:
            raise Invalid(
                _(
                    "Question ${number}: ${reason}",
                    mapping={"number": number, "reason": error.args[0]},
                )
            ) from None
        if question.code in codes:
            raise Invalid(
                _(
                    "Question ${number}: the code ${code} is used twice.",
                    mapping={"number": number, "code": question.code},
                )
            )
        codes.add(question.code)
    return True


def category_questions(category):
    """The questions of a category (a registry proxy or None); a category
    saved before questions existed has none. Lines that do not parse (the
    registry edited by hand) are left out rather than break the forms."""
    lines = getattr(category, "questions", None) if category is not None else None
    questions = []
    for line in lines or ():
        try:
            if line and line.strip():
                questions.append(parse_line(line))
        except QuestionSyntaxError:
            continue
    return questions


def as_dict(question, request):
    """A question for the APIs (the REST categories and Open311 attributes
    are built from it)."""
    return {
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "question": question.text,
        "datatype_description": translate(
            DATATYPE_DESCRIPTIONS[question.datatype], context=request
        ),
        "values": [{"key": key, "name": name} for key, name in question.values],
    }


def _given(value):
    """The answers given, without the empty ones (a form sends every field)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [
        item
        for item in items
        if item is not None and not (isinstance(item, str) and not item.strip())
    ]


def _check(question, given):
    """(stored value, shown answer) or raise ValueError with the message."""
    if question.datatype == "multivaluelist":
        keys = []
        for item in given:
            for key in str(item).split(",") if isinstance(item, str) else [item]:
                key = str(key).strip()
                if key and key not in keys:
                    keys.append(key)
        unknown = [key for key in keys if key not in dict(question.values)]
        if unknown:
            raise ValueError(_("Choose among the values offered."))
        return ",".join(keys), ", ".join(question.value_name(k) for k in keys)
    if len(given) > 1:
        raise ValueError(_("Give one answer."))
    value = given[0]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(_("The answer must be text or a number."))
    text = str(value).strip()
    if question.datatype == "singlevaluelist":
        if text not in dict(question.values):
            raise ValueError(_("Choose among the values offered."))
        return text, question.value_name(text)
    if question.datatype == "number":
        try:
            # The decimal comma, as Italians write it.
            number = parse_float(text.replace(",", "."))
        except BadInput:
            number = None
        if number is None:
            raise ValueError(_("The answer must be a number."))
        # 15 significant digits: what a float holds, without "1.0" or "1e+00".
        shown = format(number, ".15g")
        return shown, shown
    if question.datatype == "datetime":
        try:
            when = moment(text)
        except ValueError:
            raise ValueError(_("The answer must be a date, as 2026-05-31.")) from None
        shown = when.isoformat() if len(text) > 10 else when.date().isoformat()
        return shown, shown
    limit = MAX_STRING if question.datatype == "string" else MAX_TEXT
    if question.datatype == "string" and "\n" in text:
        raise ValueError(_("The answer must fit on one line."))
    if len(text) > limit:
        raise ValueError(
            _(
                "The answer is longer than ${limit} characters.",
                mapping={"limit": limit},
            )
        )
    return text, text


def validate_answers(questions, given):
    """Check the answers (a mapping of code to value) against the
    questions. Returns (answers, errors): the answers to keep on the report
    (dicts of code, question, value and answer, in the order of the
    questions) and a list of (field, message) pairs, the field being
    ``answers.<code>``."""
    answers, errors = [], []
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return [], [("answers", _("The answers must be an object of code: value."))]
    codes = {question.code for question in questions}
    for code in given:
        if code not in codes:
            errors.append(
                (
                    f"answers.{code}",
                    _("This category asks no question with this code."),
                )
            )
    for question in questions:
        values = _given(given.get(question.code))
        if not values:
            if question.required:
                errors.append((f"answers.{question.code}", _("Answer this question.")))
            continue
        try:
            value, shown = _check(question, values)
        except ValueError as error:
            errors.append((f"answers.{question.code}", error.args[0]))
            continue
        if value == "":
            if question.required:
                errors.append((f"answers.{question.code}", _("Answer this question.")))
            continue
        answers.append(
            {
                "code": question.code,
                "question": question.text,
                "value": value,
                "answer": shown,
            }
        )
    return answers, errors
