"""Marker and schema interfaces shared across the package."""

from collective.civicreports import _
from collective.civicreports.categories.questions import check_lines
from zope import schema
from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import holidays as holiday_calendar


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

    identification = schema.Choice(
        title=_("Identification of the citizen"),
        description=_(
            "Who may send a report of this category: anyone, a citizen "
            "logged in with an account of the site, or only a citizen "
            "identified with SPID or CIE."
        ),
        vocabulary=SimpleVocabulary(
            [
                SimpleTerm("anonymous", title=_("Anonymous citizens too")),
                SimpleTerm("account", title=_("An account of the site")),
                SimpleTerm("digital_identity", title=_("SPID or CIE")),
            ]
        ),
        required=True,
        default="anonymous",
    )

    # Before identification; profiles and integrations may still set it, and
    # the stricter of the two applies (categories/registry.py:
    # identification). The control panel keeps it in step.
    allow_anonymous = schema.Bool(
        title=_("Open to anonymous citizens"),
        description=_("If unchecked, citizens must log in to use this category."),
        required=False,
        default=True,
    )

    answer_days = schema.Int(
        title=_("Days to answer"),
        description=_(
            "The longest time to answer a report of this category. Empty: "
            "the days set for all the reports in Site Setup."
        ),
        required=False,
        min=1,
        max=3650,
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

    questions = schema.List(
        title=_("Extra questions"),
        description=_(
            "Asked to the citizen after the description, one per line: "
            "code | datatype | question | values. A * after the code makes "
            "the question required. Datatypes: string (one line), text, "
            "number, datetime, singlevaluelist (one of the values), "
            "multivaluelist (several); the lists need their values, as "
            "key=Name separated by ';'. Example: depth* | singlevaluelist | "
            "How deep is the hole? | small=Less than 5 cm; large=More than 5 cm"
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        constraint=check_lines,
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

    map_center_latitude = schema.Float(
        title=_("Map centre: latitude"), required=True, default=39.2238
    )
    map_center_longitude = schema.Float(
        title=_("Map centre: longitude"), required=True, default=9.1217
    )
    map_zoom = schema.Int(title=_("Map zoom"), required=True, default=13, min=1, max=19)
    tile_url = schema.TextLine(
        title=_("Map tiles URL"),
        description=_("A Leaflet tile URL template, with {z}, {x} and {y}."),
        required=True,
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    )
    tile_attribution = schema.TextLine(
        title=_("Map tiles attribution"),
        required=True,
        default="© OpenStreetMap contributors",
    )
    geocoder_url = schema.TextLine(
        title=_("Address search (geocoder) URL"),
        description=_(
            "A Nominatim-compatible search URL; the address is appended as the "
            "q parameter. Empty turns the address search off."
        ),
        required=False,
        default="https://nominatim.openstreetmap.org/search",
    )
    photo_max_count = schema.Int(
        title=_("Photos per report"), required=True, default=5, min=0, max=10
    )
    photo_max_megabytes = schema.Int(
        title=_("Largest photo (MB)"), required=True, default=10, min=1, max=50
    )
    nearby_distance = schema.Int(
        title=_("Distance of similar reports (metres)"),
        description=_(
            "Before sending, citizens see the open public reports of the same "
            "category within this distance."
        ),
        required=True,
        default=200,
        min=0,
    )
    duplicate_distance = schema.Int(
        title=_("Distance of possible duplicates (metres)"),
        description=_(
            "The moderators see together the waiting reports of the same "
            "category within this distance of each other, and merge them."
        ),
        required=True,
        default=100,
        min=0,
        max=5000,
    )
    duplicate_hours = schema.Int(
        title=_("Time window of possible duplicates (hours)"),
        description=_(
            "Reports of the same place and category count as possible "
            "duplicates when they arrived within this many hours of each other."
        ),
        required=True,
        default=72,
        min=1,
        max=24 * 90,
    )
    anonymous_rate_limit = schema.Int(
        title=_("Reports per hour from one address"),
        description=_(
            "For anonymous citizens, on the form and the REST API; 0 means "
            "no limit. Counted by all the Zope processes of the site together."
        ),
        required=True,
        default=5,
        min=0,
    )
    citizen_rate_limit = schema.Int(
        title=_("Reports per hour from one account"),
        description=_(
            "For logged-in citizens; the staff have no limit. 0 means no limit."
        ),
        required=True,
        default=20,
        min=0,
    )
    open311_rate_limit = schema.Int(
        title=_("Open311 requests per hour with one API key"),
        description=_("Service requests posted with one key; 0 means no limit."),
        required=True,
        default=200,
        min=0,
    )
    engagement_rate_limit = schema.Int(
        title=_("Follow, support and answers per hour from one address"),
        description=_(
            "Following and supporting reports, and answering the municipality "
            "from the private page; 0 means no limit."
        ),
        required=True,
        default=50,
        min=0,
    )
    photo_pixel_budget = schema.Int(
        title=_("Megapixels of the photos of one report"),
        description=_(
            "All the photos of one submission together: a phone photo has "
            "about 12. Larger photos cost seconds of the server's time to "
            "decode, and are refused."
        ),
        required=True,
        default=60,
        min=1,
        max=500,
    )
    privacy_notice_url = schema.TextLine(
        title=_("Address of the privacy notice"),
        description=_(
            "The municipality's full information notice on the processing of "
            "personal data (GDPR art. 13), linked from the first step of the "
            "form. Empty: the site's own privacy page, if it has one."
        ),
        required=False,
        default="",
    )
    confirm_anonymous_email = schema.Bool(
        title=_("Anonymous citizens confirm their e-mail"),
        description=_(
            "The report reaches the moderators only after the citizen follows "
            "the link sent to their address."
        ),
        required=False,
        default=False,
    )

    assignment_hours = schema.Int(
        title=_("Hours to assign a report to its office"),
        required=True,
        default=48,
        min=1,
    )
    answer_days = schema.Int(
        title=_("Days to answer a report"),
        required=True,
        default=30,
        min=1,
    )
    working_days = schema.Bool(
        title=_("Count deadlines in working days"),
        description=_(
            "Skip Saturdays, Sundays, national holidays and the holidays below."
        ),
        required=False,
        default=False,
    )
    holiday_province = schema.Choice(
        title=_("Province of the patron saint's day"),
        description=_(
            "The patron saint's day of this province (its code, as CA for "
            "Cagliari) is a holiday too, besides the Italian public holidays."
        ),
        values=sorted(holiday_calendar.Italy.subdivisions),
        required=False,
    )
    holidays = schema.Text(
        title=_("Holidays"),
        description=_(
            "One date per line, as 2026-12-24: the closures of the offices, "
            "or a patron saint's day the province above does not have."
        ),
        required=False,
        default="",
    )

    retention_months = schema.Int(
        title=_("Months to keep the reporter's data after closing"),
        description=_(
            "Then the daily command erases the reporter's personal data from "
            "the report and its history; the report itself stays. 0 keeps them."
        ),
        required=True,
        default=24,
        min=0,
    )

    rejection_reasons = schema.List(
        title=_("Rejection reasons"),
        description=_(
            "Ready-made reasons the moderators choose from, and adjust, when "
            "they reject a report. One per line."
        ),
        value_type=schema.TextLine(),
        required=False,
        # In English here; the install step puts them in the site's language.
        default=[
            _("The report is not about the municipal territory or its services."),
            _("The report contains offensive language or personal attacks."),
            _("The report repeats one already received."),
            _(
                "The report is not clear enough: please send it again with more details."
            ),
        ],
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

    still_a_problem_days = schema.Int(
        title=_("Days to say that a closed report is still a problem"),
        description=_(
            "For this many days after closing, the reporter and the followers "
            "can say that the problem is still there: the report goes back to "
            "its office and the moderators are told. 0 turns it off."
        ),
        required=True,
        default=30,
        min=0,
    )

    fixed_question_days = schema.Int(
        title=_("Days after closing to ask whether it was fixed"),
        description=_(
            "Then the daily command mails the reporter and each follower, "
            "once, asking whether the problem was fixed: one click, no login. "
            "0 turns it off."
        ),
        required=True,
        default=3,
        min=0,
    )
