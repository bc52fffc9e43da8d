"""Marker and schema interfaces shared across the package."""

from collective.civicreports import _
from zope import schema
from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class ICivicReportsLayer(IDefaultBrowserLayer):
    """Browser layer, active once the add-on is installed."""


class IReportFolder(Interface):
    """A container of citizen reports."""


class IReport(Interface):
    """A citizen report."""


class ICategory(Interface):
    """A report category, as stored in the registry.

    Categories are kept as a plone.registry collection keyed by id, so that
    administrators manage them in a control panel and GenericSetup profiles
    can ship them as plain ``registry.xml`` data.
    """

    title = schema.TextLine(title=_("Title"), required=True)

    description = schema.Text(
        title=_("Description"),
        description=_("Shown to citizens when they choose the category."),
        required=False,
        default="",
    )

    kind = schema.Choice(
        title=_("Kind"),
        vocabulary="collective.civicreports.Kinds",
        required=True,
        default="malfunction",
    )

    office = schema.TextLine(
        title=_("Responsible office"),
        description=_(
            "Id of the user group of the office that handles this category. "
            "New reports are assigned to it by default."
        ),
        required=False,
        default="",
    )

    notification_emails = schema.List(
        title=_("Notification e-mail addresses"),
        description=_(
            "Further addresses, one per line, told of every new report of "
            "this category besides the members of the office."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
    )

    allow_anonymous = schema.Bool(
        title=_("Open to anonymous citizens"),
        description=_("If unchecked, citizens must log in to use this category."),
        required=False,
        default=True,
    )

    within_territory = schema.Bool(
        title=_("Location must lie within the municipal territory"),
        required=False,
        default=True,
    )

    active = schema.Bool(
        title=_("Active"),
        description=_("Inactive categories are kept for old reports only."),
        required=False,
        default=True,
    )


class ICivicReportsSettings(Interface):
    """Site-wide settings."""

    moderators_group = schema.TextLine(
        title=_("Moderators group"),
        description=_(
            "Group of the public relations office (URP): its members moderate "
            "the reports of every report folder created afterwards."
        ),
        required=True,
        default="moderators",
    )

    territory = schema.Text(
        title=_("Municipal territory"),
        description=_(
            "A GeoJSON Polygon or MultiPolygon (longitude, latitude). Empty "
            "means no territory check."
        ),
        required=False,
        default="",
    )
