from collective.civicreports.interfaces import IReportFolder
from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IReportFolderSchema(model.Schema):
    """No fields of its own: title and description come from behaviors."""


@implementer(IReportFolder)
class ReportFolder(Container):
    # An ordered folder keeps the position of every child in one persistent
    # list, which every concurrent submission rewrites: a ConflictError that
    # cannot be resolved. Unordered, children live only in the BTree, whose
    # buckets resolve concurrent inserts.
    _ordering = "unordered"
