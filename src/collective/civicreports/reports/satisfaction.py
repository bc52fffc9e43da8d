"""The reporter's rating of a closed report (Designers Italia's model of the
"valutazione del servizio", criterion C.SE.1.7): 1 to 5 stars, then what
went badly (1 to 3 stars) or well (4 and 5), then a short free text.

One rating per report, by its reporter (the callers check who: the private
token or the report's Owner), only while the report is closed. It is kept
in an annotation of its own, so that rating never writes the report. The
free text is the reporter's: only the staff read it.
"""

from collections import Counter
from collective.civicreports import _
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import clean_text
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import state_of
from datetime import datetime
from persistent.mapping import PersistentMapping
from zope.annotation.interfaces import IAnnotations


KEY = "collective.civicreports.satisfaction"
STARS = (1, 2, 3, 4, 5)
# Below this, the model asks what went badly; from it, what went well.
POSITIVE_FROM = 4
COMMENT_MAX = 1000

# The model's answers, in its order; the ids are kept, the titles shown.
# The same for a service and for a page's information (browser/service.py):
# the validator compares them word for word.
NEGATIVE = {
    "unclear": _("Sometimes the instructions were not clear"),
    "incomplete": _("Sometimes the instructions were not complete"),
    "unsure": _("Sometimes I did not understand whether I was proceeding correctly"),
    "technical": _("I had technical problems"),
    "other-negative": _("Other"),
}
POSITIVE = {
    "clear": _("The instructions were clear"),
    "complete": _("The instructions were complete"),
    "sure": _("I always understood that I was proceeding correctly"),
    "no-technical": _("I had no technical problems"),
    "other-positive": _("Other"),
}
NEGATIVE_QUESTION = _("Where did you meet the greatest difficulties?")
POSITIVE_QUESTION = _("What did you like best?")
QUESTION = _("How easy was it to use this service?")

CHOOSE_STARS = _("Choose from 1 to 5 stars.")
NOT_AN_OPTION = _("This answer is not one of the options.")


class NotRateable(Exception):
    """The report is not closed, or is rated already."""


def options(rating):
    """The follow-up answers for ``rating`` stars."""
    return POSITIVE if rating >= POSITIVE_FROM else NEGATIVE


def question(rating):
    return POSITIVE_QUESTION if rating >= POSITIVE_FROM else NEGATIVE_QUESTION


def all_options():
    return {**NEGATIVE, **POSITIVE}


def rating_of(report):
    """{"rating", "followups", "comment", "time"} or None."""
    found = IAnnotations(report).get(KEY)
    return dict(found) if found is not None else None


def can_rate(report):
    return state_of(report) == CLOSED and IAnnotations(report).get(KEY) is None


def parse(rating, followups, comment):
    """The checked values of a form: (stars, followup ids, comment text);
    BadInput names the first wrong field. ``rating`` and ``comment`` are
    texts, ``followups`` a list of texts (the edge cleaned them)."""
    if not isinstance(rating, str) or rating.strip() not in {str(s) for s in STARS}:
        raise BadInput("rating", CHOOSE_STARS)
    stars = int(rating.strip())
    allowed = options(stars)
    chosen = []
    for key in followups:
        if key not in allowed:
            raise BadInput("followups", NOT_AN_OPTION)
        if key not in chosen:
            chosen.append(key)
    text = clean_text(comment or "", "comment", max_length=COMMENT_MAX).strip()
    return stars, tuple(chosen), text


def rate(report, stars, followups=(), comment=""):
    """Keep the reporter's rating; NotRateable when the report is not
    closed or has been rated. The values come from ``parse``."""
    if stars not in STARS or any(key not in options(stars) for key in followups):
        raise ValueError((stars, followups))
    if not can_rate(report):
        raise NotRateable(report.getId())
    IAnnotations(report)[KEY] = PersistentMapping(
        {
            "rating": stars,
            "followups": tuple(followups),
            "comment": comment,
            "time": datetime.now().astimezone().isoformat(timespec="minutes"),
        }
    )
    # The catalog's metadata says it is rated (the statistics read it); a
    # cheap index to have the metadata written again.
    report.reindexObject(idxs=["getId"])


def results(reports):
    """The figures of the ratings of ``reports``: how many, per star, the
    average, each follow-up answer's count; and the comments, with the
    report's number, for the staff only."""
    stars = Counter()
    followups = Counter()
    comments = []
    for report in reports:
        found = rating_of(report)
        if found is None:
            continue
        stars[found["rating"]] += 1
        followups.update(found["followups"])
        if found["comment"]:
            comments.append(
                {
                    "number": report.tracking_number,
                    "rating": found["rating"],
                    "comment": found["comment"],
                    "time": found["time"],
                }
            )
    count = sum(stars.values())
    return {
        "count": count,
        "by_star": {star: stars.get(star, 0) for star in STARS},
        "average": sum(s * n for s, n in stars.items()) / count if count else None,
        "negative": {key: followups.get(key, 0) for key in NEGATIVE},
        "positive": {key: followups.get(key, 0) for key in POSITIVE},
        "comments": comments,
    }
