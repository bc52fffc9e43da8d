"""``<report folder>/@@segnala``: the citizens' report form, in the steps of
the Designers Italia model (authorizations, report details, summary, then
the confirmation page ``@@segnala-inviata``).

The server decides everything: each step is checked by the same rules as
the REST API before the next is shown, and the questions that need an
answer of the citizen (use the position found in a photo? is it one of these
reports nearby?) are asked in the step of the place. The script only adds
checks in the browser, the map and the drafts of anonymous citizens.
"""

from collective.civicreports import _
from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.details import map_settings
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import DIGITAL_IDENTITY
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import identification
from collective.civicreports.geo.nearby import nearby_reports
from collective.civicreports.identity import citizen
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.form import values as form_values
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
from collective.civicreports.privacy.photos import TOO_MANY_PIXELS
from collective.civicreports.reports import drafts
from collective.civicreports.reports import engagement
from collective.civicreports.reports import idempotency
from collective.civicreports.reports import pending
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.submission import create_and_commit
from collective.civicreports.reports.submission import Entry
from collective.civicreports.reports.submission import max_photo_bytes
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import validate
from collective.civicreports.security import ratelimit
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.memoize.instance import memoize as memoize_method
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides
from ZPublisher.HTTPRequest import FileUpload

import base64
import hashlib
import re
import uuid


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


# The model's steps (design-comuni-pagine-statiche, "segnalazione-0N"): the
# form shows one at a time, on the server, so that each is checked before
# the next without JavaScript; the values of the other steps travel with the
# page as hidden inputs.
AUTHORIZATIONS = "authorizations"
DATA = "data"
SUMMARY = "summary"
STEPS = (AUTHORIZATIONS, DATA, SUMMARY)
STEP_TITLES = {
    AUTHORIZATIONS: _("Authorizations and conditions"),
    DATA: _("Report details"),
    SUMMARY: _("Summary"),
    "confirmation": _("Confirmation"),
}
# Inputs of the data step besides the fields: the answers to the questions
# the step asked (a photo's position, the reports nearby).
DATA_EXTRAS = ("photo_position", "use_photo_position", "nearby_seen")
NOT_SENT = _("Your report has not been sent yet: check the step below, then go on.")
# The key of one filling of the form (reports/idempotency), made when it
# starts and carried from step to step: the same page sent twice (a double
# click, a browser sending it again after a timeout) leads to one report.
FORM_KEY = "idempotency_key"
FORM_KEY_FORMAT = re.compile("[0-9a-f]{32}")


def stepper(current):
    """The model's step indicator: the steps done, the current one."""
    names = list(STEP_TITLES)
    index = names.index(current)
    return [
        {
            "title": STEP_TITLES[name],
            "done": position < index,
            "active": position == index,
        }
        for position, name in enumerate(names)
    ]


class SubmitReportView(Dates, BrowserView):
    details_macros = ViewPageTemplateFile("templates/details.pt")

    # Values the edge could not clean are shown as errors of their fields.
    handles_bad_input = True

    def __call__(self):
        self.errors = []
        self.notice = None
        self.step = AUTHORIZATIONS
        self.kept_photos = []
        self.kept_attachments = []
        self.photos = []
        self.attachments = []
        self.photo_position = None
        self.nearby = []
        self.submission = None
        self.draft = None
        self.key = self.form_key()
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            self.errors.extend(
                (field_of(name), message)
                for name, message in bad_input(self.request).items()
            )
            # Writes below (a draft, the rate counter) follow the token check.
            alsoProvides(self.request, IDisableCSRFProtection)
            result = self.handle(self.request.form)
            if result is not None:
                return result
        else:
            self.draft = self.saved_draft()
            self.come_back()
        return self.index()

    def come_back(self):
        """Back from a login (SPID, CIE or an account) into the step the
        citizen left: the login's return address names it, with the
        acknowledgement of the notice already given."""
        form = self.request.form
        if form.get("step") == DATA and form.get("privacy_consent"):
            self.step = DATA

    def handle(self, form):
        current = self.read("step", "")
        current = current if current in STEPS else AUTHORIZATIONS
        self.step = current
        if "form.buttons.resume" in form:
            return self.resume()
        if "form.buttons.discard" in form:
            drafts.discard(self.context, self.userid())
            self.notice = _("The draft has been deleted.")
            return None
        # Carried from step to step even when a value above was refused.
        self.photos = self.collect_photos()
        self.attachments = self.collect_attachments()
        if "form.buttons.back" in form:
            self.errors = [e for e in self.errors if e[0] == "images"]
            self.step = STEPS[max(STEPS.index(current) - 1, 0)]
            return None
        if "form.buttons.save" in form:
            return self.save_draft()
        if "form.buttons.send" in form:
            return self.handle_send()
        if current == AUTHORIZATIONS:
            if self.check_authorizations():
                self.step = DATA
            return None
        if current == DATA:
            if self.check_data() is not None:
                self.step = SUMMARY
            return None
        # The summary shown again: its values are checked as they are now.
        if self.check_data() is None:
            self.step = DATA
        return None

    # The steps' checks

    def check_authorizations(self):
        if not self.request.form.get("privacy_consent"):
            self.errors.append(
                (
                    "privacy_consent",
                    _("Confirm that you have read the privacy notice to go on."),
                )
            )
            return False
        return True

    def check_data(self):
        """The data step as the rules see it: the submission, or None with
        the errors, or the questions the citizen must answer, on the page."""
        form = self.request.form
        entry = Entry(**{name: self.read(name, name) for name in TEXT_FIELDS})
        for name in REPORTER_FIELDS:
            setattr(entry, name, self.read(f"reporter_{name}", f"reporter.{name}"))
        if self.errors:
            return None
        entry.photos = self.photos
        entry.attachments = self.attachments
        if not entry.latitude and form.get("use_photo_position") == "yes":
            # The kept photos have lost their position: it came back as text.
            position = self.read("photo_position", "latitude")
            latitude, _sep, longitude = position.partition(",")
            entry.latitude, entry.longitude = latitude, longitude
            form["latitude"], form["longitude"] = latitude, longitude
            del form["use_photo_position"]
        # Checked in its own step; the send checks it again.
        entry.privacy_consent = True
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
        self.submission = submission
        return submission

    # Sending

    def handle_send(self):
        form = self.request.form
        if form.get("website"):
            # The honeypot field, invisible to people: a robot filled it.
            self.errors.append(
                ("", _("Your report could not be sent. Please try again."))
            )
            return None
        # Before the limit: a page sent again was counted the first time.
        fingerprint = self.sent_fingerprint()
        replay = self.replay(fingerprint)
        if replay is not None:
            return replay
        # Refused before anything else is read; counted when the report is made.
        if not self.within_limit(record=False):
            return None
        # Every step again: what came back from the page may have changed.
        if not self.check_authorizations():
            self.step = AUTHORIZATIONS
            self.notice = NOT_SENT
            return None
        submission = self.check_data()
        if submission is None:
            self.step = DATA
            self.notice = NOT_SENT
            return None
        if not self.within_limit(record=True):
            return None
        key = idempotency.key(idempotency.FORM, self.key)
        if api.user.is_anonymous() and setting("confirm_anonymous_email"):
            pending.ask_confirmation(self.context, submission, self.request)
            # With the pending submission, in this request's transaction: a
            # second send of the page mails no second link.
            idempotency.remember(self.context, key, fingerprint)
            return self.request.response.redirect(confirm_sent_url(self.context))
        userid = self.userid()
        also = (lambda: drafts.discard(self.context, userid)) if userid else None
        try:
            report = create_and_commit(
                self.context, submission, also=also, key=key, fingerprint=fingerprint
            )
        except idempotency.KeyReused:
            # The same page sent at once with other values (a duplicated
            # tab): that one is a report of its own.
            report = create_and_commit(self.context, submission, also=also)
        return self.request.response.redirect(sent_url(report))

    # Sending twice

    def form_key(self):
        """The key of this filling of the form: the page's, or a new one when
        the form starts (never one from a link: whoever made it could then
        replay the citizen's send)."""
        if self.request.method != "POST":
            return uuid.uuid4().hex
        given = [
            value for value in self.texts(FORM_KEY) if FORM_KEY_FORMAT.fullmatch(value)
        ]
        # A draft resumed in the browser adds the key it was saved with after
        # the page's own: that filling may have been sent already.
        return given[-1] if given else uuid.uuid4().hex

    def sent_fingerprint(self):
        """Everything the page sent, files included, as one hash: only the
        same page sent again has it, so nobody who merely knows the key
        can replay the send and reach the report's private link."""
        parts = []
        form = self.request.form
        for name in sorted(form):
            if name == "_authenticator":
                continue
            given = form[name]
            items = given if isinstance(given, (list, tuple)) else [given]
            parts.append((name, [_digest(item) for item in items]))
        return idempotency.fingerprint(repr(parts).encode())

    def replay(self, fingerprint):
        """The answer already given to this page, or None: the confirmation
        of its report, or the notice that its confirmation was mailed."""
        key = idempotency.key(idempotency.FORM, self.key)
        try:
            found = idempotency.find(self.context, key, fingerprint)
        except idempotency.KeyReused:
            # Sent before, then changed (back from a send that timed out):
            # what the citizen sends now is a report of its own.
            self.key = uuid.uuid4().hex
            return None
        if found is None:
            return None
        if found.report is not None:
            return self.request.response.redirect(sent_url(found.report))
        return self.request.response.redirect(confirm_sent_url(self.context))

    def within_limit(self, record):
        decision = ratelimit.reports_of(self.request, self.context, record=record)
        if not decision.allowed:
            self.errors.append(("", ratelimit.TOO_MANY_REPORTS))
            ratelimit.refuse(self.request, decision)
        return decision.allowed

    # Drafts: on the server for citizens with an account (in the browser,
    # by the script, for the others)

    def userid(self):
        if api.user.is_anonymous():
            return None
        return api.user.get_current().getId()

    def saved_draft(self):
        userid = self.userid()
        return drafts.load(self.context, userid) if userid else None

    def save_draft(self):
        userid = self.userid()
        if userid is None:
            self.errors.append(("", _("Log in to keep a draft on the site.")))
            return None
        if not self.within_drafts_limit():
            return None
        values = self.step_values(AUTHORIZATIONS) + self.step_values(DATA)
        draft = drafts.save(
            self.context,
            userid,
            values,
            [photo.data for photo in self.photos],
            self.attachments,
        )
        self.notice = _(
            "The draft has been saved: you can resume it from this page until ${date}.",
            mapping={"date": self.date(draft.expires_at.isoformat())},
        )
        return None

    def within_drafts_limit(self):
        decision = ratelimit.citizen_action(self.request)
        if not decision.allowed:
            self.errors.append(("", ratelimit.TOO_MANY_REPORTS))
            ratelimit.refuse(self.request, decision)
        return decision.allowed

    def resume(self):
        draft = self.saved_draft()
        if draft is None:
            self.notice = _("There is no draft to resume.")
            return None
        form = self.request.form
        for name, value in draft.values:
            if name.endswith(":list"):
                form.setdefault(name.removesuffix(":list"), []).append(value)
            else:
                form[name] = value
        form["kept_photos"] = [base64.b64encode(p).decode() for p in draft.photos]
        form["kept_attachments"] = [
            base64.b64encode(a).decode() for a in draft.attachments
        ]
        self.photos = self.collect_photos()
        self.attachments = self.collect_attachments()
        self.step = DATA if form.get("privacy_consent") else AUTHORIZATIONS
        return None

    # What the template shows

    def steps(self):
        return stepper(self.step)

    def step_number(self):
        return STEPS.index(self.step) + 1

    def step_title(self):
        return STEP_TITLES[self.step]

    def step_values(self, step):
        """(input name, value) of a step's inputs, as the page sent them."""
        form = self.request.form
        if step == AUTHORIZATIONS:
            return [("privacy_consent", "1")] if form.get("privacy_consent") else []
        if step != DATA:
            # The summary only shows what the other steps hold.
            return []
        names = list(TEXT_FIELDS)
        names += [f"reporter_{name}" for name in REPORTER_FIELDS]
        names += DATA_EXTRAS
        category = get_category(shown(form, "category"))
        if category is not None:
            names += [
                answer_name(shown(form, "category"), question.code)
                for question in category_questions(category)
            ]
        pairs = []
        for name in names:
            given = form.get(name)
            if isinstance(given, list):
                pairs += [(f"{name}:list", v) for v in given if isinstance(v, str)]
            elif isinstance(given, str) and given:
                pairs.append((name, given))
        return pairs

    def carried(self):
        """The values of the steps not shown, to send back with this one."""
        return [
            pair
            for step in STEPS
            if step != self.step
            for pair in self.step_values(step)
        ]

    def values(self):
        """The values typed so far, or the member's data on the first visit."""
        form = self.request.form
        values = {name: shown(form, name) for name in TEXT_FIELDS}
        for name in REPORTER_FIELDS:
            values[name] = shown(form, f"reporter_{name}")
        values["privacy_consent"] = bool(form.get("privacy_consent"))
        known = self.known_reporter()
        if known["verified"]:
            # What the identity provider says is the reporter's data (C.SE.1.5).
            values["fullname"] = known["fullname"]
            values["fiscal_code"] = known["fiscal_code"]
            values["email"] = values["email"] or known["email"]
        elif not any(values[name] for name in REPORTER_FIELDS):
            values["fullname"] = known["fullname"]
            values["email"] = known["email"]
        return values

    @memoize_method
    def known_reporter(self):
        return citizen.known_reporter(self.request)

    def verified(self):
        return self.known_reporter()["verified"]

    def privacy_notice_url(self):
        configured = setting("privacy_notice_url")
        if configured:
            return configured
        portal = api.portal.get()
        return portal.absolute_url() + "/privacy"

    def summary(self):
        """The textual summary of the submission, in the model's groups."""
        submission = self.submission
        if submission is None:
            return []
        place = [(_("Address or place"), submission.address)]
        if submission.latitude is not None:
            place.append(
                (
                    _("Coordinates"),
                    f"{submission.latitude:.6f}, {submission.longitude:.6f}",
                )
            )
        report = [
            (_("Category"), self.category_title(submission.category)),
            (_("Subject"), submission.title),
            (_("Description"), submission.description),
        ]
        report += [
            (answer["question"], answer["answer"]) for answer in submission.answers
        ]
        report.append((_("Photos"), str(len(submission.photos))))
        report.append((_("Documents"), str(len(submission.attachments))))
        author = [
            (_("Full name"), submission.fullname),
            (_("E-mail"), submission.email),
            (_("Phone"), submission.phone),
            (_("Fiscal code"), submission.fiscal_code),
        ]
        return [
            {"id": "report-place", "title": _("Place"), "rows": place},
            {"id": "report-info", "title": _("Report"), "rows": report},
            {"id": "report-author", "title": _("Author of the report"), "rows": author},
        ]

    def category_groups(self):
        groups = {}
        for key, category in active_categories():
            level = identification(category)
            groups.setdefault(category.kind, []).append(
                {
                    "id": key,
                    "title": category.title,
                    # What the citizen still lacks to use the category.
                    "login": None if citizen.meets(level) else level,
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

    def came_from(self):
        """The form's address at its data step, to come back to after a
        login (the typed values are kept by the script meanwhile)."""
        query = {"step": DATA, "privacy_consent": "1"}
        category = shown(self.request.form, "category")
        if category:
            query["category"] = category
        return f"{self.context.absolute_url()}/@@segnala?{urlencode(query)}"

    def login_url(self):
        return (
            api.portal.get().absolute_url()
            + "/login?"
            + urlencode({"came_from": self.came_from()})
        )

    def digital_identity_url(self):
        """The SPID or CIE login, or None where the site has none."""
        if self.verified():
            return None
        return citizen.login_url(self.came_from())

    def needs_digital_identity(self):
        category = get_category(shown(self.request.form, "category"))
        return category is not None and identification(category) == DIGITAL_IDENTITY

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

    def read(self, name, field):
        """One text input; an inline error if it was sent twice."""
        try:
            return form_value(self.request.form, name)
        except BadInput as error:
            self.errors.append((field, error.message))
            return ""

    def kept(self, name):
        """The bytes of the files kept from a previous step; what is no
        base64 is left out."""
        found = []
        for text in self.texts(name):
            try:
                found.append(base64.b64decode(text, validate=True))
            except ValueError:
                continue
        return found

    def collect_photos(self):
        """Photos uploaded now, plus those kept from a previous step (so
        that nothing is lost from step to step or when the form comes back
        with an error), each decoded and cleaned once. Those kept come back
        from the page: they are cleaned again, as anything a client sends."""
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
        """The documents' bytes, kept from step to step (in base64 in the
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


def _digest(value):
    if isinstance(value, FileUpload):
        # Read by the form already: from its start again.
        value.seek(0)
        data = value.read()
        value.seek(0)
    else:
        data = value.encode() if isinstance(value, str) else repr(value).encode()
    return hashlib.sha256(data).hexdigest()


def confirm_sent_url(folder):
    return folder.absolute_url() + "/@@segnala-confirm-sent"


def sent_url(report):
    """The confirmation page of a new report, opened with its private token."""
    token = engagement.private_token(report)
    folder = report.__parent__
    query = urlencode({"n": report.getId(), "t": token})
    return f"{folder.absolute_url()}/@@segnala-inviata?{query}"


class SentView(Dates, BrowserView):
    """``<report folder>/@@segnala-inviata``: the model's fourth step, the
    confirmation, for whoever holds the report's private link."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def __call__(self):
        form = self.request.form
        report = engagement.tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        self.report = report
        return self.index()

    def steps(self):
        return stepper("confirmation")

    def token(self):
        return self.request.form["t"]

    def private_url(self):
        return engagement.private_url(self.report)

    def area_url(self):
        """The citizen's area: their reports if they have an account, the
        report's private page otherwise."""
        if api.user.is_anonymous():
            return self.private_url()
        return self.context.absolute_url() + "/@@my-reports"

    def receipt_url(self):
        query = urlencode({"n": self.report.getId(), "t": self.token()})
        return f"{self.context.absolute_url()}/@@ricevuta.pdf?{query}"


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
        # The link opened twice at once: the second request read the pending
        # submission before the first discarded it, and finds its report.
        report = create_and_commit(
            self.context,
            submission,
            also=lambda: pending.discard(self.context, token),
            key=idempotency.key(idempotency.CONFIRMATION, token),
            fingerprint="",
        )
        return self.request.response.redirect(sent_url(report))
