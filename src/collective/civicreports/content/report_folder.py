from collective.civicreports.interfaces import IReportFolder
from OFS.event import ObjectWillBeAddedEvent
from plone.dexterity.content import Container
from plone.supermodel import model
from zope.event import notify
from zope.interface import implementer
from zope.lifecycleevent import ObjectAddedEvent


class IReportFolderSchema(model.Schema):
    """No fields of its own: title and description come from behaviors."""


@implementer(IReportFolder)
class ReportFolder(Container):
    """Holds the reports. Built so that concurrent submissions never write
    the same object: only BTree buckets, whose conflicts ZODB resolves."""

    # An ordered folder keeps the position of every child in one persistent
    # list, which every submission would rewrite. Unordered, children live
    # only in the BTree.
    _ordering = "unordered"

    def _setObject(
        self, id, object, roles=None, user=None, set_owner=1, suppress_events=False
    ):
        if suppress_events:
            return super()._setObject(id, object, roles, user, set_owner, True)
        # The same events as a plain folder, less ContainerModifiedEvent:
        # it would set the folder's modification date and reindex it on
        # every new report, making all concurrent submissions collide.
        notify(ObjectWillBeAddedEvent(object, self, id))
        result = super()._setObject(id, object, roles, user, set_owner, True)
        notify(ObjectAddedEvent(self._getOb(id), self, id))
        return result
