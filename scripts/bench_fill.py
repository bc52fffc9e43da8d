"""Fill the demo site with public reports for the benchmarks.

Run with ``zconsole run zope.conf scripts/bench_fill.py COUNT``.
"""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SpecialUsers import system
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import random
import sys
import time
import transaction


count = int(sys.argv[-1])
# "--fast": objects, workflow state and catalog only, without events (no
# mails, no rules): for the 100,000 reports of the feed benchmark.
fast = "--fast" in sys.argv
app = makerequest(app)  # noqa: F821 - zconsole provides app
newSecurityManager(None, system)
site = app["Plone"]
setSite(site)

from collective.civicreports.categories.registry import get_category  # noqa: E402
from collective.civicreports.reports.submission import create_report  # noqa: E402
from collective.civicreports.reports.submission import Submission  # noqa: E402
from collective.civicreports.subscribers.report import sync_office_role  # noqa: E402
from plone import api  # noqa: E402


folder = site["segnalazioni"]


def fast_report(submission, index):
    from DateTime import DateTime
    from plone.dexterity.utils import createContent
    from plone.formwidget.geolocation.geolocation import Geolocation

    number = f"2099-{index:06d}"
    report = createContent(
        "Report",
        id=number,
        title=submission.title,
        description=submission.description,
        category=submission.category,
        address=submission.address,
    )
    report.tracking_number = number
    report.geolocation = Geolocation(submission.latitude, submission.longitude)
    report.office = get_category(submission.category).office
    folder._setObject(number, report, suppress_events=True)
    report = folder[number]
    state = "approved" if rng.random() < 0.5 else "assigned"
    wf = workflow.getWorkflowById("civicreport_workflow")
    workflow.setStatusOf(
        "civicreport_workflow",
        report,
        {
            "review_state": state,
            "action": None,
            "actor": None,
            "comments": "",
            "time": DateTime(),
        },
    )
    wf.updateRoleMappingsFor(report)
    # What the events would have done: the office sees what it was given.
    sync_office_role(report)
    report.indexObject()


workflow = api.portal.get_tool("portal_workflow")
rng = random.Random(20261125)
categories = ["roads", "lighting", "waste", "green"]
started = time.monotonic()
for index in range(count):
    submission = Submission(
        category=rng.choice(categories),
        title=f"Segnalazione di prova {index}",
        description="Segnalazione creata per misurare la mappa.",
        address=f"Via di prova {index}",
        # Around the demo map's centre, inside the first view of the map.
        latitude=39.2238 + rng.uniform(-0.018, 0.018),
        longitude=9.1217 + rng.uniform(-0.045, 0.045),
        # Not a word of the text: the detector would take it for the name.
        fullname="Ersilia Benchmarchi",
        email="prova@example.org",
    )
    if fast:
        fast_report(submission, index)
        if index % 500 == 499:
            transaction.commit()
        continue
    report = create_report(folder, submission)
    # One in ten waits for moderation; half of the rest are assigned.
    if rng.random() >= 0.1:
        workflow.doActionFor(report, "approve")
        if rng.random() < 0.5:
            workflow.doActionFor(report, "assign")
    if index % 500 == 499:
        transaction.commit()
        print(f"{index + 1} reports, {time.monotonic() - started:.0f} s", flush=True)
transaction.commit()
print(f"{count} reports created in {time.monotonic() - started:.0f} s", flush=True)
