"""The sample reports of the demo site, in different states, some with
personal data in their text, as citizens write them."""

from collective.civicreports.reports.submission import create_report
from collective.civicreports.reports.submission import Submission
from plone import api


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
