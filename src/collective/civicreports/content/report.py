from collective.civicreports import _
from collective.civicreports.content.confidential import ConfidentialRoles
from collective.civicreports.interfaces import IReport
from collective.civicreports.permissions import ANSWER_ID
from collective.civicreports.permissions import MODERATE_ID
from collective.civicreports.permissions import VIEW_INTERNAL_NOTES_ID
from collective.civicreports.permissions import VIEW_REPORTER_DATA_ID
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IReportSchema(model.Schema):
    """The data of a report besides title, description, place and reporter."""

    tracking_number = schema.TextLine(
        title=_("Tracking number"),
        required=False,
        readonly=True,
    )

    category = schema.Choice(
        title=_("Category"),
        vocabulary="collective.civicreports.Categories",
        required=True,
    )

    address = schema.TextLine(
        title=_("Address or place"),
        description=_("Street and house number, or a description of the place."),
        required=False,
    )

    channel = schema.Choice(
        title=_("Channel"),
        description=_("How the report reached the municipality."),
        vocabulary="collective.civicreports.Channels",
        required=True,
        default="web",
    )
    directives.write_permission(channel=MODERATE_ID)

    received = schema.Datetime(
        title=_("Received on"),
        description=_(
            "For reports received by phone, e-mail, PEC, at the desk or on "
            "paper: when the municipality received them. Deadlines count from it."
        ),
        required=False,
    )
    directives.write_permission(received=MODERATE_ID)

    confidential = schema.Bool(
        title=_("Confidential"),
        description=_(
            "A confidential report is handled as any other, but is never "
            "shown to anonymous users or to other citizens."
        ),
        required=False,
        default=False,
    )
    directives.write_permission(confidential=MODERATE_ID)

    model.fieldset(
        "handling",
        label=_("Handling"),
        fields=[
            "office",
            "answer",
            "resolution",
            "competent_body",
            "internal_notes",
            "protocol_number",
            "protocol_date",
        ],
    )

    office = schema.Choice(
        title=_("Assigned office"),
        description=_("Defaults to the office responsible for the category."),
        vocabulary="collective.civicreports.Offices",
        required=False,
    )
    directives.write_permission(office=MODERATE_ID)

    answer = schema.Text(
        title=_("Public answer"),
        description=_("The answer of the municipality, published with the report."),
        required=False,
    )
    directives.write_permission(answer=ANSWER_ID)

    resolution = schema.Choice(
        title=_("Resolution"),
        description=_("How the report ended, once closed."),
        vocabulary="collective.civicreports.Resolutions",
        required=False,
    )
    directives.write_permission(resolution=ANSWER_ID)

    competent_body = schema.TextLine(
        title=_("Body to turn to"),
        description=_(
            "When the report is not the municipality's competence, or was "
            "referred: the body in charge (a utility, the province)."
        ),
        required=False,
    )
    directives.write_permission(competent_body=ANSWER_ID)

    internal_notes = schema.Text(
        title=_("Internal notes"),
        description=_("Seen by the staff only."),
        required=False,
    )
    directives.read_permission(internal_notes=VIEW_INTERNAL_NOTES_ID)
    directives.write_permission(internal_notes=VIEW_INTERNAL_NOTES_ID)

    # The registration in the municipality's register, typed by the staff
    # (reports/protocol.py: an integration may provide it instead). The
    # reporter's and the staff's: a register number is no public fact.
    protocol_number = schema.TextLine(
        title=_("Protocol number"),
        description=_("The number given to the report in the register."),
        required=False,
        max_length=64,
    )
    directives.read_permission(protocol_number=VIEW_REPORTER_DATA_ID)
    directives.write_permission(protocol_number=ANSWER_ID)

    protocol_date = schema.Date(
        title=_("Protocol date"),
        required=False,
    )
    directives.read_permission(protocol_date=VIEW_REPORTER_DATA_ID)
    directives.write_permission(protocol_date=ANSWER_ID)

    # What the citizen answered to the category's extra questions, with
    # each question as it was asked (see questions.py). The reporter's, like
    # their contact data: never public.
    answers = schema.List(
        title=_("Answers to the extra questions"),
        value_type=schema.Dict(
            key_type=schema.TextLine(), value_type=schema.TextLine()
        ),
        required=False,
        readonly=True,
    )
    directives.read_permission(answers=VIEW_REPORTER_DATA_ID)
    directives.omitted("answers")


@implementer(IReport)
class Report(Container):
    """A citizen report. Photos and attachments are its Image and File
    children, which acquire its visibility."""

    _View_Permission = ConfidentialRoles("_View_Permission")
    _Access_contents_information_Permission = ConfidentialRoles(
        "_Access_contents_information_Permission"
    )
    # Listing shows the titles of the photos, and folder_contents the
    # report's own.
    _List_folder_contents_Permission = ConfidentialRoles(
        "_List_folder_contents_Permission"
    )

    # Who made a report is personal data: a report has no author, or Plone
    # would name the reporter in the byline, the catalog and the REST API.
    # Dexterity adds whoever modifies an item to its creators otherwise.
    creators = ()

    def addCreator(self, creator=None):
        pass

    def listCreators(self):
        return ()

    def Creator(self):
        return ""
