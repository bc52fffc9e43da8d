"""``POST <report>/@workflow/<transition>``: plone.restapi's transition,
with what the moderation page asks before approving.

``{"accept_findings": true}`` accepts the personal data the detector found
and nobody redacted, as the moderation page's checkbox does; without it an
approval of such a report is refused (400) with the kinds of data found.
Publishing the photos stays with the moderation page.
"""

from collective.civicreports import _
from collective.civicreports.inputs.edge import json_document
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports import moderation
from collective.civicreports.reports.commits import committed
from collective.civicreports.reports.workflow import APPROVE
from plone.restapi.services.workflow.transition import WorkflowTransition
from zope.i18n import translate

import json
import transaction


NOT_AN_OBJECT = _("The request body must be a JSON object.")


class ReportTransition(WorkflowTransition):
    def reply(self):
        # Not lost to the citizens and the staff writing at the same time:
        # see reports/commits.py.
        return committed(self._reply)

    def _reply(self):
        if self.transition != APPROVE:
            return super().reply()
        try:
            data = json_document(self.request) if self.request.get("BODY") else {}
        except BadInput as error:
            return self._refuse("BadRequest", error.message)
        if not isinstance(data, dict):
            return self._refuse("BadRequest", NOT_AN_OBJECT)
        available = {t["id"] for t in self.wftool.getTransitionsFor(self.context)}
        found = moderation.unresolved_findings(self.context)
        if not found or APPROVE not in available:
            # Nothing to accept, or not theirs to accept: the base class says.
            return super().reply()
        if data.get("accept_findings") is not True:
            return self._refuse(
                "FindingsNotReviewed", str(moderation.not_reviewed(found))
            )
        note = moderation.accept_findings(self.context, found)
        comment = data.get("comment") if isinstance(data.get("comment"), str) else ""
        data["comment"] = " ".join(filter(None, (comment, note)))
        # The base class reads the body itself.
        self.request.other["BODY"] = json.dumps(data).encode("utf-8")
        result = super().reply()
        if self.request.response.getStatus() >= 400:
            # Not approved after all: no acceptance either.
            transaction.doom()
        return result

    def _refuse(self, kind, message):
        self.request.response.setStatus(400)
        return {
            "error": {"type": kind, "message": translate(message, context=self.request)}
        }
