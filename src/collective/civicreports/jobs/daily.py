"""The daily job, ``civicreports-daily``: the reminders of overdue
reports (``sla/reminders.py``), the "was it fixed?" mail of closed reports
(``reports/followup.py``) and the retention of the reporter's data
(``privacy/retention.py``, and the expired drafts of the form,
``reports/drafts.py``) and the expired idempotency keys of the submissions
(``reports/idempotency.py``), on one site, in one transaction.

Run once a day by cron or a systemd timer (see ``docs/operations.rst``)::

    bin/civicreports-daily etc/zope.conf Plone --url https://segnalazioni.example.it

Every step is idempotent within a day, so running the job twice does no
harm: a report is reminded at most once per calendar day, asked whether it
was fixed once per closing, and erased once.
"""

from collective.civicreports.privacy.retention import erase_personal_data
from collective.civicreports.reports import drafts
from collective.civicreports.reports import followup
from collective.civicreports.reports import idempotency
from collective.civicreports.sla.reminders import send_reminders
from urllib.parse import urlsplit

import argparse
import logging
import os
import sys


def set_public_url(request, site, url):
    """Make ``absolute_url`` give the public address of the site in the
    mails, as a virtual host does for the requests of the web server."""
    parts = urlsplit(url)
    request.setServerURL(parts.scheme, parts.hostname, parts.port)
    request.other["PARENTS"] = [site]
    request.setVirtualRoot(parts.path)


def run(app, site_id, url=None, now=None):
    """Every step on the site, committed; returns (reminders, erased).
    Usable from ``zconsole run`` or ``bin/instance run`` scripts too."""
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SpecialUsers import system
    from Acquisition import aq_base
    from Testing.makerequest import makerequest
    from zope.component.hooks import setSite
    from zope.globalrequest import setRequest

    import transaction

    app = makerequest(aq_base(app))
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    newSecurityManager(None, system)
    # A report written by the staff meanwhile: retry on a fresh state. No mail
    # leaves before the commit, so a retried attempt does not send twice.
    for attempt in transaction.manager.attempts(3):
        with attempt:
            site = app.unrestrictedTraverse(site_id, None)
            if site is None:
                raise LookupError(f"no site {site_id!r} in the database")
            setSite(site)
            if url:
                set_public_url(app.REQUEST, site, url)
            # Asked before the erasure, which may take the addresses away.
            questions = followup.ask_whether_fixed(site, now)
            result = send_reminders(site, now), erase_personal_data(site, now)
            forgotten = forget_old_drafts(site, now)
            expired = forget_expired_keys(site, now)
    logger = logging.getLogger(__name__)
    logger.info("%s sent", _plural(questions, '"was it fixed?" mail'))
    logger.info("%s forgotten", _plural(forgotten, "draft"))
    logger.info("%s forgotten", _plural(expired, "idempotency key"))
    return result


def forget_old_drafts(site, now=None):
    """Drafts expire when they are read; this frees what nobody came back to."""
    catalog = site.portal_catalog
    seconds = now.timestamp() if now is not None else None
    return sum(
        drafts.purge(brain._unrestrictedGetObject(), seconds)
        for brain in catalog.unrestrictedSearchResults(portal_type="ReportFolder")
    )


def forget_expired_keys(site, now=None):
    """Expired keys are ignored when they are read; this frees them."""
    catalog = site.portal_catalog
    seconds = now.timestamp() if now is not None else None
    return sum(
        idempotency.prune(brain._unrestrictedGetObject(), seconds)
        for brain in catalog.unrestrictedSearchResults(portal_type="ReportFolder")
    )


def _plural(count, word):
    return f"{count} {word}" + ("" if count == 1 else "s")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="civicreports-daily",
        description="Remind the staff of overdue citizen reports and erase "
        "the reporter's data once the retention period is over.",
    )
    parser.add_argument("zope_conf", help="the instance's zope.conf")
    parser.add_argument("site_id", help="id of the Plone site, e.g. Plone")
    parser.add_argument(
        "--url",
        help="public address of the site, for the links in the mails "
        "(e.g. https://segnalazioni.example.it)",
    )
    args = parser.parse_args(argv)
    if not os.path.isfile(args.zope_conf):
        parser.error(f"no such file: {args.zope_conf}")

    from zc.lockfile import LockError
    from Zope2.Startup.run import make_wsgi_app

    import Zope2

    logging.basicConfig(level=logging.WARNING)
    # Only queue the mails (when the site uses a queue): the instance's queue
    # thread sends them. A thread of this short-lived process could be cut
    # off mid-send, leaving a lock that holds the mail for hours.
    os.environ["MAILHOST_QUEUE_ONLY"] = "1"
    try:
        make_wsgi_app({}, args.zope_conf)
    except LockError:
        sys.exit(
            "civicreports-daily: the database is locked by the running instance; "
            "use ZEO or RelStorage, or stop the instance (see docs/operations.rst)"
        )
    app = Zope2.app()
    try:
        reminders, erased = run(app, args.site_id, url=args.url)
    except LookupError as error:
        sys.exit(f"civicreports-daily: {error}")
    finally:
        app._p_jar.close()
    print(
        f"civicreports-daily: {_plural(reminders, 'reminder')} sent, "
        f"{_plural(erased, 'report')} erased",
        flush=True,
    )
    return 0
