"""The offices and the URP: user groups, and what the add-on asks of them
(the office in charge of a report, titles, the addresses to write to,
the offices a user belongs to)."""

from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports.settings import setting
from plone import api


# Plone's own groups, never an office.
BUILTIN_GROUPS = frozenset(
    ("Administrators", "Site Administrators", "Reviewers", "AuthenticatedUsers")
)


def moderators_group():
    """The id of the URP's group (Site Setup > Citizen reports)."""
    return setting("moderators_group")


def office_id(report):
    """The office in charge of a report: the one it is assigned to, else
    the office of its category."""
    office = getattr(report, "office", None)
    if office:
        return office
    category = get_category(getattr(report, "category", None))
    return category.office if category is not None else None


def group_emails(group_id):
    """The addresses of a group, each once: the group's own, then its
    members'."""
    if not group_id:
        return []
    group = api.portal.get_tool("acl_users").getGroupById(group_id)
    if group is None:
        return []
    emails = []
    for address in [group.getProperty("email")] + [
        member.getProperty("email") for member in group.getGroupMembers()
    ]:
        if address and address not in emails:
            emails.append(address)
    return emails


def group_title(group_id):
    if not group_id:
        return ""
    group = api.group.get(groupname=group_id)
    if group is None:
        return group_id
    return group.getProperty("title") or group_id


def office_ids():
    """The groups that are the office of some category."""
    return {category.office for _key, category in all_categories()} - {None, ""}


def user_offices(user=None):
    """The offices (group ids) the user, the current one by default,
    belongs to."""
    if api.user.is_anonymous() and user is None:
        return set()
    user = user or api.user.get_current()
    groups = {group.getId() for group in api.group.get_groups(user=user)}
    return groups & office_ids()


def office_choices():
    """{"id", "title"} of every group that can be an office, by title."""
    choices = [
        {"id": group.getId(), "title": group.getProperty("title") or group.getId()}
        for group in api.group.get_groups()
        if group.getId() not in BUILTIN_GROUPS
    ]
    return sorted(choices, key=lambda choice: str(choice["title"]).lower())
