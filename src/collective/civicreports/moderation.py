"""What moderators do to a report before it is public: approve it (public
or confidential), reject it with a reason, choose which photos to publish,
and redact its public text while the original stays with the staff."""

from datetime import datetime
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


ORIGINAL = "collective.civicreports.original"
# Photos kept from the public: the staff in charge and the reporter see them.
PRIVATE_ROLES = [
    "Manager",
    "Site Administrator",
    "ReportModerator",
    "ReportOffice",
    "Owner",
]


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
            photo.manage_permission(permission, PRIVATE_ROLES, acquire=False)
    photo.reindexObjectSecurity()


def original_text(report):
    """The reporter's own title and description, if a moderator changed them."""
    return IAnnotations(report).get(ORIGINAL)


def redact(report, title, description):
    """Change the public text, keeping the original and who changed it."""
    title, description = title.strip(), description.strip()
    if title == report.title and description == report.description:
        return False
    annotations = IAnnotations(report)
    if ORIGINAL not in annotations:
        annotations[ORIGINAL] = PersistentMapping(
            {"title": report.title, "description": report.description, "changes": []}
        )
    annotations[ORIGINAL]["changes"].append(
        {
            "by": api.user.get_current().getId(),
            "when": datetime.now().isoformat(timespec="seconds"),
            "title": title,
            "description": description,
        }
    )
    annotations[ORIGINAL]._p_changed = True
    report.title = title
    report.description = description
    modified(report, Attributes(None, "title", "description"))
    return True


def approve(report, confidential=False, published_photos=()):
    """Approve the report; only the photos named are made public."""
    report.confidential = bool(confidential)
    for photo in photos(report):
        set_photo_published(photo, photo.getId() in published_photos)
    api.content.transition(obj=report, transition="approve")
    report.reindexObject()
    report.reindexObjectSecurity()


def reject(report, reason):
    api.content.transition(obj=report, transition="reject", comment=reason)


def mark_duplicate(report, original):
    """Close a report that repeats ``original``: it stays with the staff and
    its reporter (never public), links to the original, and its reporter
    follows the original from now on."""
    from collective.civicreports import _
    from collective.civicreports import engagement
    from zope.i18n import translate

    language = api.portal.get_registry_record("plone.default_language", default="en")
    report.confidential = True
    report.duplicate_of = original.getId()
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
        obj=report, transition="duplicate", comment=original.tracking_number
    )
    report.reindexObject()
    report.reindexObjectSecurity()
