"""Start the mail queue of every site when Zope starts.

Products.MailHost starts its queue thread on the first mail sent after a
restart: mails queued before a restart would wait for the next report.
"""

from Products.CMFPlone.Portal import PloneSite
from zope.component.hooks import setSite

import logging
import transaction


logger = logging.getLogger(__name__)


def start_mail_queues(event):
    connection = event.database.open()
    try:
        app = connection.root()["Application"]
        for site in app.objectValues():
            if not isinstance(site, PloneSite):
                continue
            mailhost = getattr(site, "MailHost", None)
            if mailhost is not None and getattr(mailhost, "smtp_queue", False):
                # The SMTP settings come from the site's registry.
                setSite(site)
                mailhost._startQueueProcessorThread()
                logger.info("started the mail queue of %s", site.getId())
    except Exception:
        # Never keep Zope from starting because of the mail queue.
        logger.exception("could not start the mail queues")
    finally:
        setSite(None)
        transaction.abort()
        connection.close()
