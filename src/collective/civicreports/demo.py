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


SAMPLES = [
    # (category, title, description, address, lat, lon, reporter, steps)
    (
        "roads",
        "Buca profonda in via Roma",
        "Davanti al civico 12 c'è una buca profonda, pericolosa per i motorini.",
        "Via Roma 12",
        39.2153,
        9.1106,
        ("Mario Rossi", "mario.rossi@example.org"),
        ("approve", "assign"),
    ),
    (
        "lighting",
        "Lampione spento in piazza Yenne",
        "Il lampione all'angolo con il Corso è spento da una settimana. "
        "Per informazioni chiamatemi al 347 123 4567.",
        "Piazza Yenne",
        39.2171,
        9.1129,
        ("Lucia Bianchi", "lucia.bianchi@example.org"),
        (),
    ),
    (
        "waste",
        "Rifiuti abbandonati in via Dante",
        "Sacchi di rifiuti abbandonati accanto ai cassonetti. Li ha lasciati "
        "l'auto targata AB 123 CD, guidata da Giorgio Verdi.",
        "Via Dante 80",
        39.2281,
        9.1241,
        ("Paolo Neri", "paolo.neri@example.org"),
        (),
    ),
    (
        "green",
        "Albero pericolante nel parco",
        "Un ramo grande sta per cadere sul vialetto vicino ai giochi dei bambini.",
        "Parco di Monte Urpinu",
        39.2202,
        9.1352,
        ("Anna Sanna", "anna.sanna@example.org"),
        ("approve", "assign", "close"),
    ),
    (
        "info",
        "Orari dell'ufficio tributi",
        "Vorrei sapere gli orari di apertura dell'ufficio tributi. Il mio codice "
        "fiscale è RSSMRA80A01H501U, scrivetemi a mario.rossi@example.org.",
        "",
        None,
        None,
        ("Mario Rossi", "mario.rossi@example.org"),
        (),
    ),
    (
        "roads",
        "Marciapiede dissestato in viale Trieste",
        "Le mattonelle del marciapiede sono sollevate dalle radici.",
        "Viale Trieste 40",
        39.2165,
        9.1042,
        ("Carla Cittadina", "carla.cittadina@example.org"),
        ("approve",),
    ),
]


def create_sample_reports(folder):
    """A few reports in different states, some with personal data in their
    text, as citizens write them: the moderators' queue has work to do."""
    from collective.civicreports.submission import create_report
    from collective.civicreports.submission import Submission

    if len(folder.objectIds()) > 0:
        return
    workflow = api.portal.get_tool("portal_workflow")
    for category, title, description, address, lat, lon, who, steps in SAMPLES:
        report = create_report(
            folder,
            Submission(
                category=category,
                title=title,
                description=description,
                address=address,
                latitude=lat,
                longitude=lon,
                fullname=who[0],
                email=who[1],
            ),
        )
        for step in steps:
            if step == "close":
                report.answer = "Intervento eseguito. Grazie della segnalazione."
            workflow.doActionFor(report, step)
