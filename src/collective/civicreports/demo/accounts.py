"""Demo offices, accounts and report folder, shared by ``make start`` and the
test fixture. Passwords equal user names: never run this on a real site."""

from plone import api

import secrets


GROUPS = {
    "moderators": "Ufficio Relazioni con il Pubblico (URP)",
    "office-roads": "Ufficio Strade",
    "office-waste": "Ufficio Ambiente e Rifiuti",
    "office-green": "Ufficio Verde pubblico",
}

# user id: (full name, e-mail, groups, global roles)
USERS = {
    "admin": ("Amministratore", "admin@comune.example.it", [], ["Manager"]),
    "moderator": ("Maria Moderatrice", "urp@comune.example.it", ["moderators"], []),
    "roads": ("Roberto Strade", "strade@comune.example.it", ["office-roads"], []),
    "waste": ("Walter Rifiuti", "rifiuti@comune.example.it", ["office-waste"], []),
    "green": ("Giulia Verde", "verde@comune.example.it", ["office-green"], []),
    "citizen": ("Carla Cittadina", "carla.cittadina@example.org", [], []),
}

FOLDER_ID = "segnalazioni"


def create_groups():
    for group_id, title in GROUPS.items():
        if api.group.get(groupname=group_id) is None:
            api.group.create(groupname=group_id, title=title)


def create_users():
    acl_users = api.portal.get_tool("acl_users")
    for user_id, (fullname, email, groups, roles) in USERS.items():
        # An existing account (or a Zope manager of the same name) is kept.
        if api.user.get(username=user_id) is None:
            api.user.create(
                username=user_id,
                email=email,
                password=secrets.token_urlsafe(16),
                roles=("Member",),
                properties={"fullname": fullname},
            )
            # The demo passwords are shorter than Plone's policy allows.
            acl_users.source_users.userSetPassword(user_id, user_id)
            if roles:
                api.user.grant_roles(username=user_id, roles=roles)
        for group_id in groups:
            api.group.add_user(groupname=group_id, username=user_id)


def create_report_folder(site):
    if FOLDER_ID in site.objectIds():
        return site[FOLDER_ID]
    folder = api.content.create(
        container=site,
        type="ReportFolder",
        id=FOLDER_ID,
        title="Segnalazioni",
        description="Segnala un disservizio, chiedi un'informazione, "
        "dai un suggerimento al Comune.",
    )
    api.content.transition(obj=folder, transition="publish")
    # The catalog keeps the state and language of the creation otherwise:
    # the folder would be missing from the navigation.
    folder.reindexObject()
    return folder


OPEN311_KEY = "demo-open311-key"


def create_open311_key():
    """The well-known key of the demo, for trying the Open311 API."""
    from collective.civicreports.open311.keys import create_key
    from collective.civicreports.open311.keys import key_records

    if not key_records().has_key("demo"):
        create_key("Demo", "api", key=OPEN311_KEY, key_id="demo")


def setup_demo(site):
    create_groups()
    create_users()
    create_open311_key()
    return create_report_folder(site)
