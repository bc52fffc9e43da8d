from collective.civicreports.browser.details import DetailsMixin
from collective.civicreports.browser.generic import staff_page
from collective.civicreports.permissions import may_see_internal_notes
from collective.civicreports.permissions import may_see_reporter_data
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from plone import api
from plone.dexterity.browser.view import DefaultView


class ReportView(DetailsMixin, DefaultView):
    """A report's page: public data for everybody, personal data and notes
    only for those allowed to read them."""

    @property
    def report(self):
        return self.context

    def channel_title(self):
        return CHANNEL_TITLES.get(self.context.channel, self.context.channel)

    def can_see_reporter(self):
        return may_see_reporter_data(self.context)

    def can_see_notes(self):
        return may_see_internal_notes(self.context)

    def staff_page(self):
        return staff_page(self.context)

    def anonymous(self):
        return api.user.is_anonymous()
