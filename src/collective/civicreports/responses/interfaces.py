"""The response templates' setting."""

from collective.civicreports import _
from zope import schema
from zope.interface import Interface


PREFIX = "collective.civicreports.responses"

# In English here, as a message id: the install step writes it in the
# site's language (``setuphandlers.translate_settings``).
DEFAULT_TEMPLATES = _(
    "default_response_templates",
    default="== Fixed | answer\n"
    "The problem reported in ${address} has been fixed. Thank you for your "
    "report ${number}.\n"
    "\n"
    "== Scheduled | answer\n"
    "The work is scheduled: the office ${office} will carry it out as soon as "
    "possible. You can follow the report ${number} on its page.\n"
    "\n"
    "== A photo, please | question\n"
    "To find the place of the report ${number} (${address}), could you send "
    "us a photo of it?\n"
    "\n"
    "== The exact place | question\n"
    "Could you tell us the house number or a landmark near the place of "
    "the report ${number}?",
)


class IResponseSettings(Interface):
    templates = schema.Text(
        title=_("Response templates"),
        description=_(
            "response_templates_help",
            default="Ready-made texts the offices insert into the answer or "
            "into a question to the citizen, then adjust. Each template "
            "starts with a line '== title | answer' or '== title | question' "
            "(or the same words in the site's language), "
            "optionally followed by '| category, category' to offer it only "
            "for those categories; the lines below are its text. The text "
            "may use ${number}, ${title}, ${address}, ${category} and "
            "${office}.",
        ),
        required=False,
        default=str(DEFAULT_TEMPLATES.default),
    )
