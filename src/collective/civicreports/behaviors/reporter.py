"""The reporter's personal data, readable only by the staff in charge and
the reporter (see ``rolemap.xml``)."""

from collective.civicreports import _
from collective.civicreports.permissions import MODIFY_REPORTER_DATA_ID
from collective.civicreports.permissions import VIEW_REPORTER_DATA_ID
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import is_valid_phone
from plone.autoform import directives
from plone.autoform.interfaces import IFormFieldProvider
from plone.supermodel import model
from zope import schema
from zope.interface import Invalid
from zope.interface import provider


FIELDS = (
    "reporter_fullname",
    "reporter_email",
    "reporter_phone",
    "reporter_fiscal_code",
)


def check_email(value):
    if value and not is_valid_email(value):
        raise Invalid(_("This is not a valid e-mail address."))
    return True


def check_phone(value):
    if value and not is_valid_phone(value):
        raise Invalid(_("This is not a valid phone number."))
    return True


def check_fiscal_code(value):
    if value and not is_valid_fiscal_code(value):
        raise Invalid(_("This is not a valid Italian fiscal code."))
    return True


@provider(IFormFieldProvider)
class IReporter(model.Schema):
    """Who made the report."""

    model.fieldset("reporter", label=_("Reporter"), fields=list(FIELDS))

    reporter_fullname = schema.TextLine(title=_("Full name"), required=False)
    reporter_email = schema.TextLine(
        title=_("E-mail"), required=False, constraint=check_email
    )
    reporter_phone = schema.TextLine(
        title=_("Phone"), required=False, constraint=check_phone
    )
    reporter_fiscal_code = schema.TextLine(
        title=_("Fiscal code"), required=False, constraint=check_fiscal_code
    )

    directives.read_permission(**dict.fromkeys(FIELDS, VIEW_REPORTER_DATA_ID))
    directives.write_permission(**dict.fromkeys(FIELDS, MODIFY_REPORTER_DATA_ID))
