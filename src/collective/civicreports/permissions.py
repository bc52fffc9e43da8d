"""Who may do what, in one place: the permissions of ``permissions.zcml``
(their titles, which Zope checks, and their ids, which ZCML and the
schema directives take), the roles, and the questions every route asks
about the current user. Which roles hold which permission is data:
``profiles/default/rolemap.xml`` and the workflow's states.
"""

from AccessControl import getSecurityManager
from collective.civicreports.interfaces import IReport
from collective.civicreports.reports.offices import user_offices


# Titles, as ``checkPermission`` and ``api.user.has_permission`` take them.
ADD_REPORT = "collective.civicreports: Add Report"
MODERATE = "collective.civicreports: Moderate reports"
ANSWER = "collective.civicreports: Answer reports"
VIEW_REPORTER_DATA = "collective.civicreports: View reporter data"
MODIFY_REPORTER_DATA = "collective.civicreports: Modify reporter data"
VIEW_INTERNAL_NOTES = "collective.civicreports: View internal notes"
MANAGE_CATEGORIES = "collective.civicreports: Manage categories"

# Ids, as ZCML and the plone.autoform directives take them.
MODERATE_ID = "collective.civicreports.ModerateReports"
ANSWER_ID = "collective.civicreports.AnswerReports"
VIEW_REPORTER_DATA_ID = "collective.civicreports.ViewReporterData"
MODIFY_REPORTER_DATA_ID = "collective.civicreports.ModifyReporterData"
VIEW_INTERNAL_NOTES_ID = "collective.civicreports.ViewInternalNotes"

# Roles
MODERATOR_ROLE = "ReportModerator"  # local, on report folders
OFFICE_ROLE = "ReportOffice"  # local, on the reports assigned to an office
# Through which everybody, other citizens included, may see an object.
PUBLIC_ROLES = frozenset(("Anonymous", "Authenticated", "Member"))
# The citizen who made a report with an account owns it (local role).
REPORTER_ROLE = "Owner"
# Who may see what is kept from the public (a document, a photo not yet
# published): the staff in charge and the reporter.
PRIVATE_READERS = (
    "Manager",
    "Site Administrator",
    MODERATOR_ROLE,
    OFFICE_ROLE,
    REPORTER_ROLE,
)


def reporter_ids(report):
    """The user ids of the citizen who made the report with an account."""
    return [
        user_id for user_id, roles in report.get_local_roles() if REPORTER_ROLE in roles
    ]


def is_reporter(report, user_id):
    return REPORTER_ROLE in report.get_local_roles_for_userid(user_id)


def _allowed(permission, obj):
    return bool(getSecurityManager().checkPermission(permission, obj))


def may_moderate(obj):
    """Moderators (and Managers) of this report or report folder; on a
    folder it also means typing in reports for others (an operator)."""
    return _allowed(MODERATE, obj)


def may_answer(obj):
    """The office in charge of this report, moderators and Managers."""
    return _allowed(ANSWER, obj)


def may_see_reporter_data(report):
    """The staff in charge of the report and its reporter."""
    return _allowed(VIEW_REPORTER_DATA, report)


def may_see_internal_notes(report):
    return _allowed(VIEW_INTERNAL_NOTES, report)


def is_staff(obj):
    """Whether the user works on this report, or on some report of this
    folder. Moderators and offices hold their permission on the report
    itself; on a folder an office holds nothing (its role is on the reports
    assigned to it), so membership of an office's group counts there."""
    if may_moderate(obj) or may_answer(obj):
        return True
    if IReport.providedBy(obj):
        return False
    return bool(user_offices())
