"""What moderators do to a report before it is public: approve it (public
or confidential), reject it with a reason, choose which photos to publish,
and redact its public text while the original stays with the staff.

No report is approved while the detector finds personal data in its public
text that nobody has looked at: each finding is either redacted (then the
detector no longer finds it) or accepted by a moderator, who publishes it
as it is ("Via Mario Rossi" is a street, not a person). The acceptance is
kept with the moderator's name and told in the approval's history entry.
``check_transition`` holds the rule for every route that approves: the
moderation page, plone.restapi's ``@workflow``, the state menu, scripts.
"""

from collective.civicreports import _
from collective.civicreports.permissions import PRIVATE_READERS
from collective.civicreports.privacy.detectors import find_personal_data
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import APPROVE
from collective.civicreports.reports.workflow import DUPLICATE
from collective.civicreports.reports.workflow import REJECT
from datetime import datetime
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from plone import api
from Products.CMFCore.WorkflowCore import WorkflowException
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


ORIGINAL = "collective.civicreports.original"
ACCEPTED = "collective.civicreports.accepted_findings"
# The fields of a report that its public page, the feeds and Open311 show.
PUBLIC_TEXT = ("title", "description", "address")
FINDING_TITLES = {
    "fiscal_code": _("fiscal code"),
    "fiscal_code_like": _("looks like a fiscal code"),
    "phone": _("phone number"),
    "email": _("e-mail address"),
    "iban": _("IBAN"),
    "plate": _("number plate"),
    "name": _("the reporter's name"),
}


class FindingsNotReviewed(WorkflowException):
    """Approving a report with findings nobody has redacted or accepted.
    The message is translated already: plone.restapi shows str(error).
    (CMF raises a workflow's exception again as ``type(error)(error)``.)"""

    def __init__(self, message, findings=()):
        super().__init__(str(message))
        self.findings = getattr(message, "findings", findings)


def not_reviewed(found):
    """The FindingsNotReviewed of these findings, with their kinds."""
    kinds = ", ".join(
        translate(FINDING_TITLES.get(kind, kind), context=getRequest())
        for kind in sorted({match.kind for _name, match in found})
    )
    message = _(
        "The public text holds personal data found by the detector "
        "(${kinds}): redact it on the moderation page, or accept it to "
        "publish it as it is.",
        mapping={"kinds": kinds},
    )
    return FindingsNotReviewed(translate(message, context=getRequest()), found)


def findings(report):
    """What the detector finds in the public text: (field, Match) pairs."""
    names = [report.reporter_fullname or ""]
    found = []
    for name in PUBLIC_TEXT:
        text = getattr(report, name, None) or ""
        found.extend((name, match) for match in find_personal_data(text, names))
    return found


def accepted_findings(report):
    """The findings moderators accepted: dicts of field, kind, text, by,
    when."""
    return list(IAnnotations(report).get(ACCEPTED, ()))


def unresolved_findings(report):
    """The findings neither redacted nor accepted."""
    done = {
        (item["field"], item["kind"], item["text"])
        for item in accepted_findings(report)
    }
    return [
        (name, match)
        for name, match in findings(report)
        if (name, match.kind, match.text) not in done
    ]


def accept_findings(report, found):
    """A moderator publishes these findings as they are; returns the note
    for the history entry of the approval, in the site's language."""
    annotations = IAnnotations(report)
    if ACCEPTED not in annotations:
        annotations[ACCEPTED] = PersistentList()
    user = api.user.get_current()
    when = datetime.now().isoformat(timespec="seconds")
    for name, match in found:
        annotations[ACCEPTED].append(
            {
                "field": name,
                "kind": match.kind,
                "text": match.text,
                "by": user.getId(),
                "when": when,
            }
        )
    language = site_language()
    kinds = ", ".join(
        translate(FINDING_TITLES.get(kind, kind), target_language=language)
        for kind in sorted({match.kind for _name, match in found})
    )
    return translate(
        _(
            "findings_accepted",
            default="Personal data found by the detector (${kinds}) accepted "
            "as it is by ${name}.",
            mapping={
                "kinds": kinds,
                "name": user.getProperty("fullname") or user.getId(),
            },
        ),
        target_language=language,
    )


def check_transition(report, event):
    """IBeforeTransitionEvent: nobody approves unreviewed findings."""
    transition = getattr(event, "transition", None)
    if transition is not None and transition.id == APPROVE:
        found = unresolved_findings(report)
        if found:
            raise not_reviewed(found)


def photos(report):
    return [obj for obj in report.objectValues() if obj.portal_type == "Image"]


def is_published(photo):
    """A photo is public when it follows its report's visibility."""
    return bool(photo.acquiredRolesAreUsedBy("View"))


def set_photo_published(photo, published):
    for permission in ("View", "Access contents information"):
        if published:
            photo.manage_permission(permission, [], acquire=True)
        else:
            photo.manage_permission(permission, PRIVATE_READERS, acquire=False)
    photo.reindexObjectSecurity()


def original_text(report):
    """The reporter's own title and description, if a moderator changed them."""
    return IAnnotations(report).get(ORIGINAL)


def redact(report, title, description, address=None):
    """Change the public text, keeping the original and who changed it.
    ``address`` None leaves the address as it is."""
    title, description = title.strip(), description.strip()
    old_address = report.address or ""
    address = old_address if address is None else address.strip()
    if (title, description, address) == (report.title, report.description, old_address):
        return False
    annotations = IAnnotations(report)
    if ORIGINAL not in annotations:
        annotations[ORIGINAL] = PersistentMapping(
            {
                "title": report.title,
                "description": report.description,
                "address": old_address,
                "changes": [],
            }
        )
    annotations[ORIGINAL]["changes"].append(
        {
            "by": api.user.get_current().getId(),
            "when": datetime.now().isoformat(timespec="seconds"),
            "title": title,
            "description": description,
            "address": address,
        }
    )
    annotations[ORIGINAL]._p_changed = True
    report.title = title
    report.description = description
    report.address = address or None
    modified(report, Attributes(None, "title", "description", "address"))
    return True


def approve(report, confidential=False, published_photos=(), accept=False, comment=""):
    """Approve the report; only the photos named are made public. Findings
    still unresolved are accepted with ``accept``, else FindingsNotReviewed."""
    found = unresolved_findings(report)
    if found and not accept:
        raise not_reviewed(found)
    if found:
        comment = " ".join(filter(None, (comment, accept_findings(report, found))))
    report.confidential = bool(confidential)
    for photo in photos(report):
        set_photo_published(photo, photo.getId() in published_photos)
    api.content.transition(obj=report, transition=APPROVE, comment=comment)
    report.reindexObject()
    report.reindexObjectSecurity()


def reject(report, reason):
    api.content.transition(obj=report, transition=REJECT, comment=reason)


def mark_duplicate(report, original):
    """Close a report that repeats ``original``: it stays with the staff and
    its reporter (never public), links to the original, and its reporter
    follows the original from now on."""
    from collective.civicreports.reports import engagement

    language = site_language()
    report.confidential = True
    report.duplicate_of = original.getId()
    report.resolution = "duplicate"
    report.answer = translate(
        _(
            "duplicate_answer",
            default="This report repeats the report ${number}, which is being "
            "handled: you will be told of its progress.\n\n${url}",
            mapping={
                "number": original.tracking_number,
                "url": original.absolute_url(),
            },
        ),
        target_language=language,
    )
    if report.reporter_email:
        engagement.follow(original, report.reporter_email)
    api.content.transition(
        obj=report, transition=DUPLICATE, comment=original.tracking_number
    )
    report.reindexObject()
    report.reindexObjectSecurity()
