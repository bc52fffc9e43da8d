"""Operators type in reports received by phone, e-mail or at the desk."""

from collective.civicreports.testing import FUNCTIONAL_TESTING
from plone import api
from plone.testing.zope import Browser

import transaction
import unittest


class OperatorAddFormTest(unittest.TestCase):
    """A moderator types in a report received by phone."""

    layer = FUNCTIONAL_TESTING

    def test_add_form_gives_a_tracking_number(self):
        portal = self.layer["portal"]
        browser = Browser(self.layer["app"])
        browser.addHeader("Authorization", "Basic moderator:moderator")
        browser.open(portal.absolute_url() + "/segnalazioni/++add++Report")
        browser.getControl(name="form.widgets.IBasic.title").value = "Lampione spento"
        browser.getControl(
            name="form.widgets.IBasic.description"
        ).value = "Segnalato al telefono."
        browser.getControl(name="form.widgets.category:list").value = ["lighting"]
        browser.getControl(name="form.widgets.channel:list").value = ["phone"]
        browser.getControl(
            name="form.widgets.IReporter.reporter_fullname"
        ).value = "Anna Bianchi"
        browser.getControl(
            name="form.widgets.IReporter.reporter_phone"
        ).value = "070123456"
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        reports = [
            r
            for r in portal["segnalazioni"].objectValues()
            if r.title == "Lampione spento"
        ]
        self.assertEqual(len(reports), 1)
        report = reports[0]
        self.assertRegex(report.getId(), r"^\d{4}-\d{6}$")
        self.assertEqual(report.tracking_number, report.getId())
        self.assertEqual(report.channel, "phone")
        self.assertEqual(report.office, "office-roads")
        self.assertEqual(api.content.get_state(report), "submitted")
        self.assertIn("ReportOffice", report.get_local_roles_for_userid("office-roads"))

    def test_received_date_sets_the_deadlines(self):
        from collective.civicreports.sla.levels import report_sla
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import submit
        from datetime import datetime
        from datetime import timedelta

        portal = self.layer["portal"]
        login_as(portal, "admin")
        report = submit(
            portal, user="moderator", channel="phone", reporter={"fullname": "Anna"}
        )
        report.received = datetime.now() - timedelta(days=5)
        status = report_sla(report, "submitted")["assignment"]
        self.assertTrue(status.overdue)
        report.received = None
        self.assertFalse(report_sla(report, "submitted")["assignment"].overdue)
