"""The add form of a report (operators typing in a report received by
phone, e-mail or at the desk): the report gets its tracking number as id,
like one submitted by a citizen."""

from collective.civicreports.inputs.form import OneValueEach
from collective.civicreports.reports.submission import new_number
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView


class ReportAddForm(OneValueEach, DefaultAddForm):
    portal_type = "Report"

    def add(self, obj):
        number = new_number(self.context)
        obj.id = number
        obj.tracking_number = number
        return super().add(obj)


class ReportAddView(DefaultAddView):
    form = ReportAddForm
