"""The rules are defined once, in ``reports/workflow.py`` and
``permissions.py``, and their data in the profile: the names in the code
are the profile's, and every route that asks who is staff gets the same
answer."""

from collective.civicreports import permissions
from collective.civicreports.reports import workflow
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import image_data
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import report_in
from plone import api
from zope.component import getUtility
from zope.security.interfaces import IPermission

import requests
import transaction
import unittest


def exits(definition, state):
    return {
        transition: definition.transitions[transition]
        for transition in definition.states[state].transitions
    }


def guards(transition):
    return set(transition.getGuard().permissions)


class WorkflowNamesTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.definition = api.portal.get_tool("portal_workflow").getWorkflowById(
            workflow.WORKFLOW_ID
        )

    def test_states_and_transitions(self):
        self.assertEqual(set(self.definition.states), set(workflow.STATES))
        self.assertEqual(len(workflow.STATES), len(set(workflow.STATES)))
        self.assertEqual(self.definition.initial_state, workflow.SUBMITTED)
        self.assertEqual(set(self.definition.transitions), set(workflow.TRANSITIONS))

    def test_public_states_are_those_anonymous_may_view(self):
        viewable = {
            state.id
            for state in self.definition.states.values()
            if "Anonymous" in state.permission_roles["View"]
        }
        self.assertEqual(viewable, set(workflow.PUBLIC_STATES))

    def test_state_sets_follow_the_guards(self):
        moderate, answer = permissions.MODERATE, permissions.ANSWER
        by_moderators = set()
        by_offices = set()
        ended = set()
        for state in workflow.STATES:
            found = exits(self.definition, state)
            if found and all(guards(t) == {moderate} for t in found.values()):
                by_moderators.add(state)
            if any(answer in guards(t) for t in found.values()):
                by_offices.add(state)
            if set(found) <= {workflow.REOPEN}:
                ended.add(state)
        self.assertEqual(by_moderators, set(workflow.MODERATION_STATES))
        self.assertEqual(by_offices, set(workflow.HANDLING_STATES))
        self.assertEqual(ended, set(workflow.ENDED_STATES))
        self.assertEqual(set(workflow.OPEN_STATES), set(workflow.PUBLIC_STATES) - ended)
        self.assertEqual(
            set(workflow.KEPT_STATES), set(workflow.STATES) - {workflow.REJECTED}
        )

    def test_history_reads_the_workflow(self):
        login_as(self.layer["portal"], "admin")
        report = report_in(self.layer["portal"], "assigned")
        steps = workflow.history(report)
        self.assertEqual(
            [(s.action, s.state) for s in steps],
            [
                (None, workflow.SUBMITTED),
                (workflow.APPROVE, workflow.APPROVED),
                (workflow.ASSIGN, workflow.ASSIGNED),
            ],
        )
        self.assertEqual(workflow.state_of(report), api.content.get_state(report))
        self.assertIsNotNone(steps[0].time.tzinfo)
        self.assertEqual(workflow.first_time(report, workflow.ASSIGN), steps[2].time)
        self.assertIsNone(workflow.last_time(report, workflow.CLOSE))


class PermissionNamesTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    PAIRS = (
        (permissions.MODERATE_ID, permissions.MODERATE),
        (permissions.ANSWER_ID, permissions.ANSWER),
        (permissions.VIEW_REPORTER_DATA_ID, permissions.VIEW_REPORTER_DATA),
        (permissions.MODIFY_REPORTER_DATA_ID, permissions.MODIFY_REPORTER_DATA),
        (permissions.VIEW_INTERNAL_NOTES_ID, permissions.VIEW_INTERNAL_NOTES),
    )

    def test_ids_name_the_titles(self):
        for permission_id, title in self.PAIRS:
            self.assertEqual(getUtility(IPermission, permission_id).title, title)

    def test_titles_are_zope_permissions(self):
        known = set(self.layer["portal"].possible_permissions())
        titles = {
            value
            for name, value in vars(permissions).items()
            if name.isupper() and isinstance(value, str) and ": " in value
        }
        self.assertEqual(len(titles), 7)
        self.assertLessEqual(titles, known)

    def test_roles_exist(self):
        roles = set(self.layer["portal"].validRoles())
        self.assertIn(permissions.MODERATOR_ROLE, roles)
        self.assertIn(permissions.OFFICE_ROLE, roles)
        self.assertLessEqual(set(permissions.PRIVATE_READERS), roles)

    def test_private_readers_are_the_profiles(self):
        portal = self.layer["portal"]
        rolemap = {
            entry["name"]
            for entry in portal.rolesOfPermission(permissions.VIEW_REPORTER_DATA)
            if entry["selected"]
        }
        self.assertEqual(rolemap, set(permissions.PRIVATE_READERS))
        definition = api.portal.get_tool("portal_workflow").getWorkflowById(
            workflow.WORKFLOW_ID
        )
        # Who may view a report the public may not.
        for state in set(workflow.STATES) - set(workflow.PUBLIC_STATES):
            roles = definition.states[state].permission_roles["View"]
            self.assertEqual(set(roles), set(permissions.PRIVATE_READERS), state)


# user: (password, staff on the folder, staff on a report of the roads office)
USERS = {
    None: (None, False, False),
    "citizen": ("citizen", False, False),
    "moderator": ("moderator", True, True),
    "roads": ("roads", True, True),
    "waste": ("waste", True, False),
    "admin": (None, True, True),
}


class StaffAgreementTest(unittest.TestCase):
    """Who is staff is asked by the search (which states it may filter on),
    the JSON of a report (the photos' publication flags) and the report's
    page (the reporter section): for each user the three agree with
    ``permissions.is_staff`` and with what the demo's roles mean."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.folder = self.portal["segnalazioni"]
        photo = {"content-type": "image/jpeg", "data": image_data()}
        self.report = report_in(
            self.portal,
            "assigned",
            images=[dict(photo, filename="buca.jpg")],
        )
        transaction.commit()

    def auth(self, user):
        if user == "admin":
            from plone.app.testing import SITE_OWNER_NAME
            from plone.app.testing import SITE_OWNER_PASSWORD

            return (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        password = USERS[user][0]
        return (user, password) if password else None

    def get(self, url, user, **params):
        response = requests.get(
            url,
            params=params,
            auth=self.auth(user),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        transaction.begin()
        return response

    def test_every_route_agrees(self):
        for user, (_password, on_folder, on_report) in USERS.items():
            with self.subTest(user=user):
                login_as(self.portal, user)
                self.assertEqual(permissions.is_staff(self.folder), on_folder)
                self.assertEqual(permissions.is_staff(self.report), on_report)
                login_as(self.portal, "admin")
                search = self.get(
                    self.folder.absolute_url() + "/@reports",
                    user,
                    state=workflow.SUBMITTED,
                )
                self.assertEqual(search.status_code == 200, on_folder, search.text)
                self.assertEqual(search.status_code == 400, not on_folder)
                data = self.get(self.report.absolute_url(), user).json()
                # The photo is not published: only the staff get it, flagged.
                self.assertEqual(
                    ["published" in photo for photo in data["photos"]],
                    [True] if on_report else [],
                )
                page = requests.get(
                    self.report.absolute_url(), auth=self.auth(user), timeout=60
                )
                self.assertEqual(page.status_code, 200)
                self.assertEqual(
                    'class="civicreport-staff"' in page.text, on_report, user
                )
