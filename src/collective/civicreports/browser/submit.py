"""``<report folder>/@@segnala``: the citizens' report form.

One page in steps (they become one-at-a-time steps with JavaScript). The
server decides everything: the same validation as the REST API, then, before
creating the report, two questions that need an answer of the citizen: use
the position found in a photo? is it one of these reports nearby?
"""

from collective.civicreports import _
from collective.civicreports.browser.details import map_settings
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo.nearby import nearby_reports
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.form import values as form_values
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
from collective.civicreports.privacy.photos import TOO_MANY_PIXELS
from collective.civicreports.reports import pending
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.submission import create_and_commit
from collective.civicreports.reports.submission import Entry
from collective.civicreports.reports.submission import max_photo_bytes
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import validate
from collective.civicreports.security import ratelimit
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope.i18n import translate
from zope.interface import alsoProvides

import base64


TEXT_FIELDS = ("category", "title", "description", "address", "latitude", "longitude")
REPORTER_FIELDS = ("fullname", "email", "phone", "fiscal_code")


def answer_name(category_id, code):
    """The input of a question: two categories may ask by the same code."""
    return f"answer-{category_id}-{code}"


def field_of(name):
    """The field (as validate names it) of an input of the form."""
    if name.startswith("reporter_"):
        return "reporter." + name.removeprefix("reporter_")
    if name.startswith("answer-"):
        category_id, _sep, code = name.removeprefix("answer-").partition("-")
        return f"answers.{category_id}.{code}"
    return name if name in TEXT_FIELDS else ""


def shown(form, name):
    """A value to show again in its input: one text, or nothing."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


class SubmitReportView(BrowserView):
    details_macros = ViewPageTemplateFile("templates/details.pt")

    # Values the edge could not clean are shown as errors of their fields.
    handles_bad_input = True

    def __call__(self):
        self.errors = []
        self.kept_photos = []
        self.kept_attachments = []
        self.photo_position = None
        self.nearby = []
        form = self.request.form
        if self.request.method == "POST" and "form.buttons.send" in form:
            CheckAuthenticator(self.request)
            self.errors.extend(
                (field_of(name), message)
                for name, message in bad_input(self.request).items()
            )
            alsoProvides(self.request, IDisableCSRFProtection)
            result = self.handle_send()
            if result is not None:
                return result
        return self.index()

    # What the template shows

    def values(self):
        """The values typed so far, or the member's data on the first visit."""
        form = self.request.form
        values = {name: shown(form, name) for name in TEXT_FIELDS}
        for name in REPORTER_FIELDS:
            values[name] = shown(form, f"reporter_{name}")
        values["privacy_consent"] = bool(form.get("privacy_consent"))
        if self.request.method != "POST" and not api.user.is_anonymous():
            member = api.user.get_current()
            values["fullname"] = member.getProperty("fullname") or ""
            values["email"] = member.getProperty("email") or ""
        return values

    def category_groups(self):
        anonymous = api.user.is_anonymous()
        groups = {}
        for key, category in active_categories():
            groups.setdefault(category.kind, []).append(
                {
                    "id": key,
                    "title": category.title,
                    "login": anonymous and not category.allow_anonymous,
                    "description": category.description or "",
                }
            )
        return [
            {"kind": kind, "title": title, "categories": groups[kind]}
            for kind, title in KIND_TITLES.items()
            if kind in groups
        ]

    def question_groups(self):
        """The extra questions of every category that has some. The script
        shows only the chosen category's; without it, once a category has
        been chosen, the page shows only that category's."""
        form = self.request.form
        chosen = self.values()["category"]
        groups = []
        for key, category in active_categories():
            questions = category_questions(category)
            if questions:
                groups.append(
                    {
                        "category": key,
                        "title": category.title,
                        "hidden": bool(chosen) and chosen != key,
                        "questions": [
                            self._question(key, question, form)
                            for question in questions
                        ],
                    }
                )
        return groups

    def _question(self, category_id, question, form):
        field = f"answers.{category_id}.{question.code}"
        name = answer_name(category_id, question.code)
        given = form.get(name)
        chosen = given if isinstance(given, list) else [given] if given else []
        multiple = question.datatype == "multivaluelist"
        return {
            "code": question.code,
            "datatype": question.datatype,
            "text": question.text,
            "required": question.required,
            "name": name + (":list" if multiple else ""),
            "id": self.field_id(field),
            "value": "" if multiple or given is None else str(given),
            "choices": [
                {"key": key, "name": title, "chosen": key in chosen}
                for key, title in question.values
            ],
            "errors": self.error_for(field),
        }

    def error_for(self, field):
        return [message for name, message in self.errors if name == field]

    def translated_errors(self):
        return [
            {"field": name, "message": translate(message, context=self.request)}
            for name, message in self.errors
        ]

    def field_id(self, field):
        return "civicreport-" + (field or "form").replace(".", "-").replace("_", "-")

    def login_url(self):
        came_from = self.context.absolute_url() + "/@@segnala"
        return (
            api.portal.get().absolute_url()
            + "/login?"
            + urlencode({"came_from": came_from})
        )

    def anonymous(self):
        return api.user.is_anonymous()

    def map_settings(self):
        return map_settings()

    def geocoder_url(self):
        return setting("geocoder_url") or ""

    def photo_limits(self):
        return {
            "count": setting("photo_max_count"),
            "megabytes": setting("photo_max_megabytes"),
        }

    # Sending

    def handle_send(self):
        form = self.request.form
        if form.get("website"):
            # The honeypot field, invisible to people: a robot filled it.
            self.errors.append(
                ("", _("Your report could not be sent. Please try again."))
            )
            return None
        # Refused before the photos are decoded; counted when the report is made.
        if not self.within_limit(record=False):
            return None
        entry = Entry(**{name: self.read(name, name) for name in TEXT_FIELDS})
        for name in REPORTER_FIELDS:
            setattr(entry, name, self.read(f"reporter_{name}", f"reporter.{name}"))
        unreadable = bool(self.errors)
        # Kept for the next attempt even when a value above was refused.
        entry.photos = self.collect_photos()
        entry.attachments = self.collect_attachments()
        if unreadable:
            return None
        if not entry.latitude and form.get("use_photo_position") == "yes":
            # The kept photos have lost their position: it came back as text.
            position = self.read("photo_position", "latitude")
            latitude, _sep, longitude = position.partition(",")
            entry.latitude, entry.longitude = latitude, longitude
            form["latitude"], form["longitude"] = latitude, longitude
        entry.privacy_consent = bool(form.get("privacy_consent"))
        category = get_category(entry.category)
        entry.answers = {
            question.code: form.get(answer_name(entry.category, question.code))
            for question in category_questions(category)
        }
        if not entry.latitude and "use_photo_position" not in form:
            # Ask first: the answer may be the place the report still lacks.
            self.photo_position = next(
                (p for p in entry.photos if p.latitude is not None), None
            )
        try:
            submission = validate(self.context, entry)
        except SubmissionError as error:
            self.errors.extend(
                # The inputs of the answers are named by category too.
                (name.replace("answers.", f"answers.{entry.category}.", 1), message)
                for name, message in error.errors
                if not (self.photo_position and name == "address")
            )
            return None
        if self.errors or self.photo_position:
            return None
        if not form.get("nearby_seen"):
            self.nearby = nearby_reports(
                self.context,
                submission.category,
                submission.latitude,
                submission.longitude,
                setting("nearby_distance"),
            )
            if self.nearby:
                return None
        if not self.within_limit(record=True):
            return None
        if api.user.is_anonymous() and setting("confirm_anonymous_email"):
            pending.ask_confirmation(self.context, submission, self.request)
            return self.request.response.redirect(
                self.context.absolute_url() + "/@@segnala-confirm-sent"
            )
        report = create_and_commit(self.context, submission)
        return self.request.response.redirect(private_url(report) + "&new=1")

    def read(self, name, field):
        """One text input; an inline error if it was sent twice."""
        try:
            return form_value(self.request.form, name)
        except BadInput as error:
            self.errors.append((field, error.message))
            return ""

    def within_limit(self, record):
        decision = ratelimit.reports_of(self.request, self.context, record=record)
        if not decision.allowed:
            self.errors.append(("", ratelimit.TOO_MANY_REPORTS))
            ratelimit.refuse(self.request, decision)
        return decision.allowed

    def kept(self, name):
        """The bytes of the files kept from a previous attempt; what is no
        base64 is left out."""
        found = []
        for text in self.texts(name):
            try:
                found.append(base64.b64decode(text, validate=True))
            except ValueError:
                continue
        return found

    def collect_photos(self):
        """Photos uploaded now, plus those kept from a previous attempt (so
        that nothing is lost when the form comes back with an error), each
        decoded and cleaned once. Those kept come back from the page: they
        are cleaned again, as anything a client sends."""
        photos = []
        max_bytes = max_photo_bytes()
        budget = PixelBudget(setting("photo_pixel_budget"))
        raws = self.kept("kept_photos")
        raws += [upload.read() for upload in self.uploads("photos")]
        for raw in raws[: setting("photo_max_count") + 1]:
            try:
                photos.append(process_photo(raw, max_bytes, budget))
            except PhotoError as error:
                self.errors.append(("images", error.message))
                if error.message is TOO_MANY_PIXELS:
                    break
        self.kept_photos = [base64.b64encode(p.data).decode() for p in photos]
        return photos

    def collect_attachments(self):
        """The documents' bytes, kept across a round trip (in base64 in the
        page) like the photos."""
        documents = self.kept("kept_attachments")
        documents += [upload.read() for upload in self.uploads("attachments")]
        self.kept_attachments = [base64.b64encode(d).decode() for d in documents]
        return documents

    def texts(self, name):
        try:
            return form_values(self.request.form, name)
        except BadInput:
            return []

    def uploads(self, name):
        found = self.request.form.get(name) or []
        items = found if isinstance(found, list) else [found]
        return [item for item in items if getattr(item, "filename", None)]

    def category_title(self, category_id):
        category = get_category(category_id)
        return category.title if category is not None else category_id


class ConfirmSentView(BrowserView):
    """After the form, when the reporter must confirm their e-mail."""

    invalid = False


class ConfirmView(BrowserView):
    """The link of the confirmation mail: the report is created now."""

    def __call__(self):
        token = self.request.form.get("t")
        submission = pending.get(self.context, token)
        if submission is None:
            self.invalid = True
            return self.index()
        alsoProvides(self.request, IDisableCSRFProtection)
        report = create_and_commit(
            self.context, submission, also=lambda: pending.discard(self.context, token)
        )
        return self.request.response.redirect(private_url(report) + "&new=1")
