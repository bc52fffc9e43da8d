"""The mail queue: started for every site when Zope starts, and retried
as soon as the SMTP server is back.

Products.MailHost starts its queue thread on the first mail sent after a
restart: mails queued before a restart would wait for the next report.

zope.sendmail claims a queued message with a ``.sending-`` link before
sending it, so that several processes can share one queue and never send
a message twice; but when the SMTP server cannot be reached it leaves the
claim behind, and treats a claim as someone else's sending for three
hours. After an outage every mail would wait that long. ``QueueProcessor``
releases its own claim when its attempt failed, so the next round (every
three seconds) tries again; a claim of another process is left alone.
"""

from Products.CMFPlone.Portal import PloneSite
from Products.MailHost import MailHost
from zope.component.hooks import setSite
from zope.sendmail.queue import QueueProcessorThread

import contextlib
import logging
import os
import transaction


logger = logging.getLogger(__name__)


class QueueProcessor(QueueProcessorThread):
    def _process_one_file(self, filename):
        self._claimed = False
        super()._process_one_file(filename)
        if self._claimed and os.path.exists(filename):
            # Claimed and read by us, neither sent nor rejected: failed.
            head, tail = os.path.split(filename)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(head, ".sending-" + tail))

    def _parseMessage(self, message):
        # Called only once this thread holds the claim and read the message.
        self._claimed = True
        return super()._parseMessage(message)


# Products.MailHost creates its thread from this name.
MailHost.QueueProcessorThread = QueueProcessor


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
