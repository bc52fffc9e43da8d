"""Keep the local roles and the catalog of a report in step with its data."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.permissions import MODERATOR_ROLE
from collective.civicreports.permissions import OFFICE_ROLE
from collective.civicreports.reports import engagement
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import last_comment
from collective.civicreports.reports.workflow import REOPEN
from plone import api
from plone.contentrules.engine.interfaces import IRuleAssignmentManager
from zope.container.interfaces import IContainerModifiedEvent
from zope.lifecycleevent.interfaces import IObjectAddedEvent

import logging


logger = logging.getLogger(__name__)

SECURITY_FIELDS = {"office", "confidential"}


def sync_office_role(report):
    """Give the assigned office, and only it, the office role on the report."""
    office = getattr(report, "office", None)
    changed = False
    for principal, roles in report.get_local_roles():
        if OFFICE_ROLE in roles and principal != office:
            remaining = [role for role in roles if role != OFFICE_ROLE]
            if remaining:
                report.manage_setLocalRoles(principal, remaining)
            else:
                report.manage_delLocalRoles([principal])
            changed = True
    if office and OFFICE_ROLE not in report.get_local_roles_for_userid(office):
        roles = list(report.get_local_roles_for_userid(office)) + [OFFICE_ROLE]
        report.manage_setLocalRoles(office, roles)
        changed = True
    return changed


def report_added(report, event):
    engagement.prepare(report)
    if not getattr(report, "office", None):
        category = get_category(getattr(report, "category", None))
        if category is not None and category.office:
            report.office = category.office
    if sync_office_role(report):
        report.reindexObjectSecurity()


def _changed_fields(event):
    names = set()
    for description in getattr(event, "descriptions", ()) or ():
        # Forms and plone.restapi name them "IReportSchema.office".
        for name in getattr(description, "attributes", ()) or ():
            names.add(name.rsplit(".", 1)[-1])
    return names


def report_modified(report, event):
    # Adding the report, or a photo to it, changes nobody's access.
    if IObjectAddedEvent.providedBy(event) or IContainerModifiedEvent.providedBy(event):
        return
    changed = _changed_fields(event)
    # An event without descriptions may have changed anything.
    if changed and not changed & SECURITY_FIELDS:
        return
    sync_office_role(report)
    # Cheap enough: a report has few children, and the confidential flag
    # changes what the catalog must show to whom.
    report.reindexObjectSecurity()


def report_transitioned(report, event):
    """The map's index follows the state; on closing, a comment given
    without a public answer becomes the answer; reopened, the report has
    no resolution any more (on every route: the handling page, REST)."""
    # The workflow tool reindexes its own variables only.
    report.reindexObject(idxs=["report_map"])
    transition = getattr(event, "transition", None)
    if transition is not None and transition.id == REOPEN:
        report.resolution = None
    if transition is None or transition.id != CLOSE:
        return
    if getattr(report, "answer", None):
        return
    comment = last_comment(report).strip()
    if comment:
        report.answer = comment
        report.reindexObject()


def folder_added(folder, event):
    """The URP moderates the reports of every new report folder."""
    # Content rules store their assignments on the folder the first time a
    # rule runs there: do it now, not in the first (concurrent) submissions.
    IRuleAssignmentManager(folder)
    group_id = moderators_group()
    if group_id and api.group.get(groupname=group_id) is not None:
        roles = set(folder.get_local_roles_for_userid(group_id)) | {MODERATOR_ROLE}
        folder.manage_setLocalRoles(group_id, sorted(roles))
        folder.reindexObjectSecurity()
    elif group_id:
        logger.warning("moderators group %r does not exist", group_id)
