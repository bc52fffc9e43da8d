"""What may be published on a report folder, a report and a report's photos
and documents: an allowlist of names, for everyone below Manager.

Zope and Plone publish much more on any content object than the add-on's
own pages: the FTP and WebDAV exports and ``PROPFIND`` (which read every
field, whatever its read permission), the ``manage_*`` methods,
``folder_contents`` and its JSON helpers (which show a title to whoever may
list the folder), the sharing page, skin scripts such as
``content_status_modify`` (which skip moderation), dozens of generic
views and REST endpoints. Closing them one by one would leave open the next
one a new Plone release adds. So every request is checked once traversal
has found what it publishes: on each of our objects it went through, the
next step must be a contained object, a static resource, or a view, REST
service or method named here. Anything else is not found.

The permissions still apply to what is allowed: an allowed name only means
that the add-on serves it and has made sure it honours them.
"""

from AccessControl import getSecurityManager
from Acquisition import aq_base
from Acquisition import aq_inner
from Acquisition import aq_parent
from collective.civicreports.interfaces import IReport
from collective.civicreports.interfaces import IReportFolder
from itertools import pairwise
from plone.rest.traverse import RESTWrapper
from Products.CMFCore.interfaces import IContentish
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zope.browser.interfaces import IBrowserView
from zope.browserresource.interfaces import IResource


# Browser views and plone.rest services (``<METHOD>_<media type>_<name>``),
# by the kind of object they are published on.
ALLOWED = {
    "folder": frozenset(
        {
            "view",
            "segnala",
            "segnala-confirm",
            "segnala-confirm-sent",
            "segnala-inviata",
            "ricevuta.pdf",
            "track",
            "track-reply",
            "reports-rss",
            "alerts",
            "alerts-confirm",
            "alerts-unsubscribe",
            "moderation",
            "moderation-bulk",
            "moderation-clusters",
            "report-statistics",
            "report-export",
            # Plone's, made ours: it leads to the moderation queue.
            "folder_contents",
            # The operators' add form (``++add++Report``).
            "Report",
            "GET_application_json_",
            "GET_application_json_@reports",
            "POST_application_json_@reports",
            "GET_application_json_@reports-geojson",
            "GET_application_json_@report-stats",
        }
    ),
    "report": frozenset(
        {
            "view",
            "follow",
            "unfollow",
            "support",
            "it-is-fixed",
            "still-a-problem",
            "ricevuta.pdf",
            "moderate",
            "assign",
            "handle",
            # Plone's, made ours: they lead to @@moderate or @@handle
            # (browser/generic.py).
            "content_status_history",
            "edit",
            "folder_contents",
            "GET_application_json_",
            "PATCH_application_json_",
            "GET_application_json_@workflow",
            "POST_application_json_@workflow",
            "GET_application_json_@history",
        }
    ),
    "attachment": frozenset(
        {
            "view",
            "image_view",
            "image_view_fullscreen",
            "file_view",
            "images",
            "download",
            "display-file",
            "GET_application_json_",
        }
    ),
}
# Whoever holds this role anywhere above may use everything Zope offers.
UNRESTRICTED_ROLE = "Manager"


class Unpublished(BrowserView):
    """Stands for a view Zope's traversal breaks on before this module can
    refuse it (the adding view ``+`` of every folder answers 500: it has
    no default page); being a plain view, the allowlist refuses it."""

    def __call__(self):
        raise NotFound(self.__name__)


def kind(obj):
    """The kind of ``obj`` for the allowlist: folder, report, attachment (a
    photo or document of a report), or None for any other object."""
    if IReport.providedBy(obj):
        return "report"
    if IReportFolder.providedBy(obj):
        return "folder"
    if IContentish.providedBy(obj) and IReport.providedBy(aq_parent(aq_inner(obj))):
        return "attachment"
    return None


def is_allowed(kind, obj, step):
    """Whether ``step``, what traversal found on ``obj``, may be published."""
    if IContentish.providedBy(step):
        # Contained, not acquired: /report/other-report is not a route.
        return aq_base(aq_parent(aq_inner(step))) is aq_base(obj)
    if IResource.providedBy(step):
        # ++resource++ files: the same static files on every object.
        return True
    if IBrowserView.providedBy(step):
        return getattr(step, "__name__", None) in ALLOWED[kind]
    # Methods (manage_FTPget, PROPFIND, title_or_id...), skin scripts and
    # templates, attributes: none is a route of ours.
    return False


def unrestricted(obj):
    return bool(getSecurityManager().getUser().allowed(obj, (UNRESTRICTED_ROLE,)))


def traversed(request):
    """What traversal went through, from the root to what it publishes."""
    return [
        # plone.rest wraps what a REST request traverses.
        obj.context if isinstance(obj, RESTWrapper) else obj
        for obj in (*reversed(request.get("PARENTS") or ()), request.get("PUBLISHED"))
    ]


def check_published(event):
    """IPubAfterTraversal: refuse what the allowlist does not name."""
    request = event.request
    for obj, step in pairwise(traversed(request)):
        if step is obj:
            # A view or service traversing further into itself.
            continue
        found = kind(obj)
        if found is None or is_allowed(found, obj, step):
            continue
        if unrestricted(obj):
            return
        raise NotFound(request.get("ACTUAL_URL", ""))
