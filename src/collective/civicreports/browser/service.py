"""The ways in to the service and its feedback, as the Designers Italia
model of a municipality has them and the AgID validator checks them: the
"Segnala disservizio" link in the site's footer (C.SI.2.4) and the
"Quanto sono chiare le informazioni su questa pagina?" component on the
service's public pages (C.SI.2.5), with its counts for the staff."""

from AccessControl import Unauthorized
from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.browser.forms import say
from collective.civicreports.inputs.form import value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.interfaces import IReport
from collective.civicreports.interfaces import IReportFolder
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports.satisfaction import NEGATIVE
from collective.civicreports.reports.satisfaction import POSITIVE
from collective.civicreports.reports.satisfaction import POSITIVE_FROM
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.tracking import apart
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.security import ratelimit
from DateTime import DateTime
from persistent import Persistent
from plone import api
from plone.app.layout.viewlets import ViewletBase
from plone.protect import CheckAuthenticator
from plone.protect.authenticator import createToken
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import re
import time


FOLDER_CACHE = "collective.civicreports.service_folder"


def service_folder(request):
    """The catalog brain of the site's (first) report folder the visitor
    may see, or None; looked up once per request, as the footer of every
    page and the home page's portlet ask for it."""
    cache = IAnnotations(request)
    if FOLDER_CACHE not in cache:
        brains = api.portal.get_tool("portal_catalog")(
            portal_type="ReportFolder",
            sort_on="created",
            sort_limit=1,
        )[:1]
        cache[FOLDER_CACHE] = brains[0] if brains else None
    return cache[FOLDER_CACHE]


class ReportInefficiencyViewlet(ViewletBase):
    """The footer's link to the form: the validator wants exactly this
    label and ``data-element`` (criterion C.SI.2.4)."""

    def update(self):
        brain = service_folder(self.request)
        self.url = brain.getURL() + "/@@segnala" if brain is not None else None

    def render(self):
        return self.index() if self.url else ""


# The page feedback component

FEEDBACK_KEY = "collective.civicreports.feedback"
# The pages that ask, by kind: what the counts are kept by.
PAGES = {
    "service": _("Service card and archive"),
    "form": _("Report form"),
    "report": _("Pages of the reports"),
}
FOLDER_VIEWS = {"view": "service", "segnala": "form"}
RATINGS = ("1", "2", "3", "4", "5")
DETAIL_LENGTH = 200
# The details kept for the staff, the newest, per folder.
KEPT_DETAILS = 100

NO_RATING = _("Choose a rating from 1 to 5.")
WRONG_ANSWER = _("Choose one of the answers of the rating given.")
LONG_DETAIL = _("The detail can be at most 200 characters long.")
NOT_A_PAGE = _("This page does not collect opinions.")
THANKS = _("Thank you, your opinion will help us improve the service!")


class FeedbackCounts(Persistent):
    """The opinions on the pages of a folder: counts only, by page, and
    the last details typed, which only the staff read."""

    def __init__(self):
        # (page, "rating", "1".."5") or (page, "answer", id) -> count
        self.counts = OOBTree()
        # (time, page) -> (rating, detail)
        self.details = OOBTree()

    def add(self, page, rating, answer, detail):
        for key in ((page, "rating", rating), (page, "answer", answer)):
            if key[2]:
                self.counts[key] = self.counts.get(key, 0) + 1
        if detail:
            key = (time.time(), page)
            while key in self.details:
                key = (key[0] + 1e-6, page)
            self.details[key] = (rating, detail)
            while len(self.details) > KEPT_DETAILS:
                del self.details[self.details.minKey()]


def feedback_of(folder, create=False):
    annotations = IAnnotations(folder)
    found = annotations.get(FEEDBACK_KEY)
    if found is None and create:
        found = annotations[FEEDBACK_KEY] = FeedbackCounts()
    return found


def record_feedback(folder, page, rating, answer="", detail=""):
    """Count an opinion, in a transaction of its own: citizens never write
    the folder in their request, nor collide with each other's."""
    apart(
        folder,
        lambda folder: feedback_of(folder, create=True).add(
            page, rating, answer, detail
        ),
    )


def answers_for(rating):
    return POSITIVE if int(rating) >= POSITIVE_FROM else NEGATIVE


def parse_feedback(form):
    """(page, rating, answer, detail) of a posted opinion; BadInput when a
    value is not one the component offers."""
    page = value(form, "page").strip()
    if page not in PAGES:
        raise BadInput("page", NOT_A_PAGE)
    rating = value(form, "rating").strip()
    if rating not in RATINGS:
        raise BadInput("rating", NO_RATING)
    answer = value(form, "answer").strip()
    if answer and answer not in answers_for(rating):
        raise BadInput("answer", WRONG_ANSWER)
    detail = " ".join(value(form, "detail").split())
    if len(detail) > DETAIL_LENGTH:
        raise BadInput("detail", LONG_DETAIL)
    return page, rating, answer, detail


def page_of(context, view_name):
    """The kind of page the component is on, or None where it is not shown
    (the staff's pages, a report not public)."""
    if IReportFolder.providedBy(context):
        return FOLDER_VIEWS.get(view_name)
    if IReport.providedBy(context) and view_name == "view":
        public = api.content.get_state(context, default=None) in PUBLIC_STATES
        if public and not getattr(context, "confidential", False):
            return "report"
    return None


def folder_of(context):
    return context if IReportFolder.providedBy(context) else context.__parent__


class FeedbackViewlet(ViewletBase):
    """The component, as a plain form: it works without JavaScript, and the
    follow-up questions appear by the rating chosen where CSS can tell."""

    def update(self):
        self.page = page_of(self.context, getattr(self.view, "__name__", None))

    def render(self):
        return self.index() if self.page else ""

    def action(self):
        return api.portal.get().absolute_url() + "/@@civicreports-feedback"

    def folder_uid(self):
        return api.content.get_uuid(folder_of(self.context))

    def came_from(self):
        url = self.context.absolute_url()
        return url + "/@@segnala" if self.page == "form" else url

    def token(self):
        return createToken()

    def ratings(self):
        return [int(rating) for rating in reversed(RATINGS)]

    def positive(self):
        return [{"id": k, "title": v} for k, v in POSITIVE.items()]

    def negative(self):
        return [{"id": k, "title": v} for k, v in NEGATIVE.items()]


class FeedbackView(BrowserView):
    """``<site>/@@civicreports-feedback``: a posted opinion, counted, and
    back to the page it was given on. On the site, not on the folder, so
    that it is the same route for the folder and its reports."""

    refused = ViewPageTemplateFile("templates/feedback_refused.pt")

    def __call__(self):
        if self.request.method != "POST":
            return self.request.response.redirect(api.portal.get().absolute_url())
        CheckAuthenticator(self.request)
        folder = self.folder()
        self.back = self.came_from(folder)
        try:
            page, rating, answer, detail = parse_feedback(self.request.form)
        except BadInput as error:
            self.request.response.setStatus(400)
            self.message = error.text(self.request)
            return self.refused()
        decision = ratelimit.hit(
            "feedback",
            ratelimit.client_of(self.request),
            setting("engagement_rate_limit"),
        )
        if not decision.allowed:
            ratelimit.refuse(self.request, decision)
            self.message = translate(ratelimit.TOO_MANY_ACTIONS, context=self.request)
            return self.refused()
        record_feedback(folder, page, rating, answer, detail)
        say(self.request, THANKS)
        return self.request.response.redirect(self.back, status=303)

    def folder(self):
        """The report folder named by the form, if the visitor may see it."""
        try:
            uid = value(self.request.form, "folder").strip()
        except BadInput:
            uid = ""
        brains = (
            api.portal.get_tool("portal_catalog")(portal_type="ReportFolder", UID=uid)
            if uid
            else []
        )
        if not brains:
            raise NotFound("folder")
        return brains[0].getObject()

    def came_from(self, folder):
        """The page to go back to, only ever one of the folder's own: no
        redirect elsewhere."""
        url = folder.absolute_url()
        try:
            given = value(self.request.form, "came_from").strip()
        except BadInput:
            given = ""
        pattern = re.escape(url) + r"(/@@segnala|/[A-Za-z0-9][A-Za-z0-9._-]*)?"
        return given if re.fullmatch(pattern, given) else url


class FeedbackSummaryView(BrowserView):
    """``<site>/@@civicreports-feedback-summary``: the counts of every
    folder the user moderates, and the details typed, for the staff only."""

    def folders(self):
        found = [
            brain.getObject()
            for brain in api.portal.get_tool("portal_catalog")(
                portal_type="ReportFolder", sort_on="created"
            )
        ]
        return [folder for folder in found if may_moderate(folder)]

    def __call__(self):
        self.moderated = self.folders()
        if not self.moderated:
            raise Unauthorized("civicreports-feedback-summary")
        return self.index()

    def summary(self, folder):
        counts = feedback_of(folder)
        pages = []
        for page, title in PAGES.items():
            ratings = {
                r: counts.counts.get((page, "rating", r), 0) if counts else 0
                for r in RATINGS
            }
            total = sum(ratings.values())
            average = (
                sum(int(r) * n for r, n in ratings.items()) / total if total else None
            )
            answers = (
                [
                    {
                        "title": answer_title,
                        "count": counts.counts.get((page, "answer", key), 0),
                    }
                    for key, answer_title in (
                        *POSITIVE.items(),
                        *((k, t) for k, t in NEGATIVE.items() if k not in POSITIVE),
                    )
                ]
                if counts
                else []
            )
            pages.append(
                {
                    "title": title,
                    "total": total,
                    "ratings": [{"rating": r, "count": ratings[r]} for r in RATINGS],
                    "average": f"{average:.1f}" if average is not None else "",
                    "answers": [a for a in answers if a["count"]],
                }
            )
        details = []
        if counts is not None:
            for (moment, page), (rating, detail) in reversed(counts.details.items()):
                details.append(
                    {
                        "page": PAGES.get(page, page),
                        "rating": rating,
                        "detail": detail,
                        "date": api.portal.get_localized_time(
                            DateTime(moment), long_format=True
                        ),
                    }
                )
        return {"pages": pages, "details": details}
