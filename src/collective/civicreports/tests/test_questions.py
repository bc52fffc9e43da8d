"""The extra questions of a category: how administrators write them, how
every way in (the form, REST, Open311) asks and checks them, and who reads
the answers."""

from collective.civicreports.categories.questions import check_lines
from collective.civicreports.categories.questions import parse_line
from collective.civicreports.categories.questions import Question
from collective.civicreports.categories.questions import QuestionSyntaxError
from collective.civicreports.categories.questions import validate_answers
from collective.civicreports.categories.registry import get_category
from collective.civicreports.testing import FUNCTIONAL_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import admin_browser
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.test_form import FormCase
from collective.civicreports.tests.test_form import GOOD
from collective.civicreports.tests.test_open311 import client_form
from lxml import html
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from xml.etree import ElementTree
from zope.interface import Invalid

import requests
import transaction
import unittest


ROADS_QUESTIONS = [
    "size* | singlevaluelist | How big is the hole? | small=Less than 30 cm; large=More than 30 cm",
    "hazards | multivaluelist | Who is at risk? | cars=Cars; bikes=Bikes; people=People on foot",
    "depth | number | How deep is it, in cm?",
    "since | datetime | Since when?",
    "notes | text | Anything else?",
]
ADMIN = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)


def questions(*lines):
    return [parse_line(line) for line in lines]


class ParseTest(unittest.TestCase):
    def test_a_list_with_its_values(self):
        question = parse_line(ROADS_QUESTIONS[0])
        self.assertEqual(
            question,
            Question(
                "size",
                "singlevaluelist",
                "How big is the hole?",
                True,
                [("small", "Less than 30 cm"), ("large", "More than 30 cm")],
            ),
        )

    def test_optional_without_values(self):
        question = parse_line("depth | number | How deep is it?")
        self.assertFalse(question.required)
        self.assertEqual(question.values, [])

    def test_mistakes(self):
        for line in (
            "size | singlevaluelist",
            "Size | string | Uppercase code?",
            "size | color | Unknown datatype?",
            "size | string | ",
            "size | singlevaluelist | A list without values?",
            "size | string | Values for a string? | a=A",
            "size | singlevaluelist | A value without a name? | a=",
            "size | singlevaluelist | The same key twice? | a=A; a=B",
            "a | b | c | d | e",
        ):
            with self.assertRaises(QuestionSyntaxError, msg=line):
                parse_line(line)

    def test_the_control_panel_names_the_line(self):
        self.assertTrue(check_lines(ROADS_QUESTIONS + ["", "  "]))
        with self.assertRaises(Invalid) as raised:
            check_lines([ROADS_QUESTIONS[0], "broken"])
        self.assertEqual(raised.exception.args[0].mapping["number"], 2)
        with self.assertRaises(Invalid) as raised:
            check_lines(["a | string | A?", "a | text | A again?"])
        self.assertEqual(raised.exception.args[0].mapping["code"], "a")


class AnswersTest(unittest.TestCase):
    def setUp(self):
        self.questions = questions(*ROADS_QUESTIONS)

    def check(self, given):
        return validate_answers(self.questions, given)

    def test_every_datatype(self):
        answers, errors = self.check(
            {
                "size": "large",
                "hazards": ["bikes", "people", "bikes"],
                "depth": "12,5",
                "since": "2026-11-30",
                "notes": "  Next to the bus stop.  ",
            }
        )
        self.assertEqual(errors, [])
        self.assertEqual(
            [(a["code"], a["value"], a["answer"]) for a in answers],
            [
                ("size", "large", "More than 30 cm"),
                ("hazards", "bikes,people", "Bikes, People on foot"),
                ("depth", "12.5", "12.5"),
                ("since", "2026-11-30", "2026-11-30"),
                ("notes", "Next to the bus stop.", "Next to the bus stop."),
            ],
        )
        # The question is kept as it was asked.
        self.assertEqual(answers[0]["question"], "How big is the hole?")

    def test_numbers_and_dates_as_written(self):
        for given, shown in (
            ({"depth": "12"}, "12"),
            ({"depth": 12}, "12"),
            ({"depth": "0,25"}, "0.25"),
            ({"depth": "1e21"}, "1e+21"),
            ({"since": "2026-11-30 08:15"}, "2026-11-30T08:15:00"),
            ({"since": "2026-11-30T08:15:00Z"}, "2026-11-30T08:15:00+00:00"),
        ):
            answers, errors = self.check(dict(given, size="small"))
            self.assertEqual(errors, [], given)
            self.assertEqual(answers[-1]["answer"], shown, given)

    def test_a_comma_separated_multivaluelist(self):
        answers, errors = self.check({"size": "small", "hazards": "cars,bikes"})
        self.assertEqual(errors, [])
        self.assertEqual(answers[1]["value"], "cars,bikes")

    def test_required_and_optional(self):
        answers, errors = self.check({"depth": "", "hazards": []})
        self.assertEqual(answers, [])
        self.assertEqual([field for field, _message in errors], ["answers.size"])
        answers, errors = self.check(None)
        self.assertEqual([field for field, _message in errors], ["answers.size"])

    def test_bad_answers(self):
        for given, field in (
            ({"size": "huge"}, "answers.size"),
            ({"size": ["small", "large"]}, "answers.size"),
            ({"size": "small", "hazards": ["cars", "trucks"]}, "answers.hazards"),
            ({"size": "small", "depth": "deep"}, "answers.depth"),
            ({"size": "small", "depth": "nan"}, "answers.depth"),
            ({"size": "small", "depth": "1e999"}, "answers.depth"),
            ({"size": "small", "depth": "9" * 400}, "answers.depth"),
            ({"size": "small", "since": "2026-W48"}, "answers.since"),
            ({"size": "small", "since": "yesterday"}, "answers.since"),
            ({"size": "small", "since": "2026-02-31"}, "answers.since"),
            ({"size": "small", "notes": "x" * 2001}, "answers.notes"),
            ({"size": "small", "colour": "red"}, "answers.colour"),
            ({"size": {"nested": "object"}}, "answers.size"),
            ({"size": True}, "answers.size"),
        ):
            answers, errors = self.check(given)
            self.assertEqual([f for f, _m in errors], [field], given)
        answers, errors = self.check(["not", "a", "mapping"])
        self.assertEqual([f for f, _m in errors], ["answers"])

    def test_a_string_fits_on_a_line(self):
        checked = questions("plate | string | Plate?")
        self.assertEqual(validate_answers(checked, {"plate": "AB 123"})[1], [])
        self.assertTrue(validate_answers(checked, {"plate": "AB\n123"})[1])
        self.assertTrue(validate_answers(checked, {"plate": "x" * 201})[1])


class ControlPanelTest(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.browser = admin_browser(self.layer)
        self.url = (
            self.portal.absolute_url() + "/@@civicreports-categories-edit?id=green"
        )

    def test_questions_saved(self):
        self.browser.open(self.url)
        self.browser.getControl(name="form.widgets.questions").value = "\n".join(
            ROADS_QUESTIONS[:2]
        )
        self.browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(get_category("green").questions, ROADS_QUESTIONS[:2])

    def test_a_mistake_is_shown_and_nothing_saved(self):
        self.browser.open(self.url)
        self.browser.getControl(name="form.widgets.questions").value = (
            ROADS_QUESTIONS[0] + "\nsize | colour | What colour?"
        )
        self.browser.getControl(name="form.buttons.save").click()
        self.assertIn(
            "Question 2: colour: the datatype is one of", self.browser.contents
        )
        transaction.begin()
        self.assertFalse(get_category("green").questions)


class QuestionsOverHTTPCase(unittest.TestCase):
    """The roads category asks the questions above."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        get_category("roads").questions = list(ROADS_QUESTIONS)
        transaction.commit()

    def reports(self):
        transaction.begin()
        return list(self.portal["segnalazioni"].objectValues())


class RestTest(QuestionsOverHTTPCase):
    def post(self, **overrides):
        response = requests.post(
            self.portal_url + "/segnalazioni/@reports",
            json=payload(**overrides),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        transaction.begin()
        return response

    def test_categories_describe_the_questions(self):
        response = requests.get(
            self.portal_url + "/@report-categories",
            headers={"Accept": "application/json"},
            timeout=60,
        )
        items = {item["id"]: item for item in response.json()["items"]}
        asked = items["roads"]["questions"]
        self.assertEqual(
            [(q["code"], q["datatype"], q["required"]) for q in asked],
            [
                ("size", "singlevaluelist", True),
                ("hazards", "multivaluelist", False),
                ("depth", "number", False),
                ("since", "datetime", False),
                ("notes", "text", False),
            ],
        )
        self.assertEqual(asked[0]["question"], "How big is the hole?")
        self.assertEqual(
            asked[0]["values"],
            [
                {"key": "small", "name": "Less than 30 cm"},
                {"key": "large", "name": "More than 30 cm"},
            ],
        )
        self.assertTrue(asked[2]["datatype_description"])
        self.assertEqual(items["lighting"]["questions"], [])

    def test_answers_are_kept(self):
        response = self.post(answers={"size": "small", "hazards": ["cars", "people"]})
        self.assertEqual(response.status_code, 201, response.text)
        report = self.portal["segnalazioni"][response.json()["tracking_number"]]
        self.assertEqual(
            [(a["question"], a["answer"]) for a in report.answers],
            [
                ("How big is the hole?", "Less than 30 cm"),
                ("Who is at risk?", "Cars, People on foot"),
            ],
        )

    def test_bad_answers_store_nothing(self):
        before = len(self.reports())
        for answers, field in (
            ({}, "answers.size"),
            ({"size": "huge"}, "answers.size"),
            ({"size": "small", "depth": "deep"}, "answers.depth"),
            ({"size": "small", "unknown": "x"}, "answers.unknown"),
        ):
            response = self.post(answers=answers)
            self.assertEqual(response.status_code, 400, answers)
            fields = [e["field"] for e in response.json()["error"]["errors"]]
            self.assertEqual(fields, [field], answers)
        self.assertEqual(len(self.reports()), before)

    def test_a_category_without_questions_takes_no_answers(self):
        response = self.post(category="lighting", answers={"size": "small"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["errors"][0]["field"], "answers.size")
        self.assertEqual(self.post(category="lighting").status_code, 201)


class Open311Test(QuestionsOverHTTPCase):
    def setUp(self):
        super().setUp()
        self.base = self.portal_url + "/open311/v2/"

    def test_services_say_which_have_questions(self):
        services = requests.get(self.base + "services.json", timeout=60).json()
        metadata = {s["service_code"]: s["metadata"] for s in services}
        self.assertIs(metadata["roads"], True)
        self.assertIs(metadata["lighting"], False)

    def test_service_definition_json(self):
        data = requests.get(self.base + "services/roads.json", timeout=60).json()
        self.assertEqual(data["service_code"], "roads")
        first = data["attributes"][0]
        self.assertEqual(
            set(first),
            {
                "variable",
                "code",
                "datatype",
                "required",
                "datatype_description",
                "order",
                "description",
                "values",
            },
        )
        self.assertEqual(
            (first["code"], first["datatype"], first["required"], first["order"]),
            ("size", "singlevaluelist", True, 1),
        )
        self.assertIs(first["variable"], True)
        self.assertEqual(first["description"], "How big is the hole?")
        self.assertEqual(
            first["values"][1], {"key": "large", "name": "More than 30 cm"}
        )
        self.assertEqual([a["order"] for a in data["attributes"]], [1, 2, 3, 4, 5])

    def test_service_definition_xml(self):
        response = requests.get(self.base + "services/roads.xml", timeout=60)
        root = ElementTree.fromstring(response.content)
        self.assertEqual(root.tag, "service_definition")
        attributes = root.find("attributes")
        self.assertEqual(len(attributes.findall("attribute")), 5)
        first = attributes.find("attribute")
        self.assertEqual(first.findtext("code"), "size")
        self.assertEqual(first.findtext("required"), "true")
        self.assertEqual(first.findtext("variable"), "true")
        values = first.find("values").findall("value")
        self.assertEqual(
            [(v.findtext("key"), v.findtext("name")) for v in values],
            [("small", "Less than 30 cm"), ("large", "More than 30 cm")],
        )

    def test_post_with_attributes(self):
        form = list(client_form().items()) + [
            ("attribute[size]", "large"),
            ("attribute[hazards][]", "bikes"),
            ("attribute[hazards][]", "people"),
            ("attribute[depth]", "15"),
        ]
        response = requests.post(self.base + "requests.json", data=form, timeout=60)
        self.assertEqual(response.status_code, 200, response.text)
        number = response.json()[0]["service_request_id"]
        transaction.begin()
        report = self.portal["segnalazioni"][number]
        self.assertEqual(
            [(a["code"], a["value"]) for a in report.answers],
            [("size", "large"), ("hazards", "bikes,people"), ("depth", "15")],
        )

    def test_missing_or_bad_attributes(self):
        before = len(self.reports())
        for extra, named in (
            ({}, "attribute[size]"),
            ({"attribute[size]": "huge"}, "attribute[size]"),
            (
                {"attribute[size]": "small", "attribute[colour]": "red"},
                "attribute[colour]",
            ),
        ):
            response = requests.post(
                self.base + "requests.json", data=client_form(**extra), timeout=60
            )
            self.assertEqual(response.status_code, 400, extra)
            errors = response.json()
            self.assertEqual([e["code"] for e in errors], [400])
            self.assertTrue(errors[0]["description"].startswith(named), errors)
        self.assertEqual(len(self.reports()), before)


class FormTest(QuestionsOverHTTPCase, FormCase):
    def setUp(self):
        QuestionsOverHTTPCase.setUp(self)
        FormCase.setUp(self)

    def test_the_questions_of_each_category(self):
        self.open()
        self.next(privacy_consent="1")
        groups = self.page.xpath(
            '//fieldset[contains(@class, "civicreport-questions")]'
        )
        by_category = {group.get("data-category"): group for group in groups}
        # Every category that asks something, none hidden before a choice.
        self.assertEqual(set(by_category), {"roads", "waste"})
        self.assertTrue(all(group.get("hidden") is None for group in groups))
        roads = by_category["roads"]
        labels = [
            " ".join(label.text_content().split()) for label in roads.xpath(".//label")
        ]
        self.assertIn("How big is the hole? (required)", labels)
        # Every input has its label, the checkboxes a named group.
        for element in roads.xpath(".//input|.//select|.//textarea"):
            self.assertTrue(
                roads.xpath(f'.//label[@for="{element.get("id")}"]'), element.get("id")
            )
        group = roads.xpath('.//div[@role="group"]')[0]
        self.assertTrue(roads.xpath(f'.//*[@id="{group.get("aria-labelledby")}"]'))

    def test_answers_sent_with_the_form(self):
        self.open()
        self.send(
            **GOOD,
            **{
                "answer-roads-size": "small",
                "answer-roads-hazards:list": "bikes",
                "answer-roads-depth": "8",
            },
        )
        reports = self.reports()
        self.assertEqual(len(reports), 1, self.response.text[:2000])
        self.assertEqual(
            [(a["code"], a["value"]) for a in reports[0].answers],
            [("size", "small"), ("hazards", "bikes"), ("depth", "8")],
        )

    def test_a_missing_answer_is_shown_inline(self):
        self.open()
        self.send(**GOOD, **{"answer-roads-depth": "eight"})
        self.assertEqual(self.reports(), [])
        summary = self.page.get_element_by_id("civicreport-errors")
        links = [a.get("href") for a in summary.xpath(".//a")]
        self.assertIn("#civicreport-answers-roads-size", links)
        self.assertIn("#civicreport-answers-roads-depth", links)
        size = self.page.get_element_by_id("civicreport-answers-roads-size")
        self.assertEqual(size.get("aria-invalid"), "true")
        self.assertEqual(
            size.get("aria-describedby"), "civicreport-answers-roads-size-error"
        )
        # What was typed is kept; the other category's questions are hidden.
        self.assertEqual(self.value("answer-roads-depth"), "eight")
        waste = self.page.get_element_by_id("civicreport-questions-waste")
        self.assertIsNotNone(waste.get("hidden"))
        self.assertIsNone(
            self.page.get_element_by_id("civicreport-questions-roads").get("hidden")
        )

    def test_answers_to_another_category_are_ignored(self):
        self.open()
        self.send(
            **dict(GOOD, category="lighting"),
            **{"answer-roads-depth": "eight", "answer-waste-tipo:list": "sacchi"},
        )
        reports = self.reports()
        self.assertEqual(len(reports), 1)
        self.assertIsNone(reports[0].answers)


class WhoReadsTheAnswersTest(QuestionsOverHTTPCase):
    def setUp(self):
        super().setUp()
        response = requests.post(
            self.portal_url + "/segnalazioni/@reports",
            json=payload(answers={"size": "large", "notes": "Vicino alla fermata 42"}),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.url = response.json()["@id"]
        self.transition("approve")

    def transition(self, name):
        response = requests.post(
            f"{self.url}/@workflow/{name}",
            auth=("moderator", "moderator"),
            headers={"Accept": "application/json"},
            json={},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text)

    def get(self, url, auth=None, json_api=False):
        headers = {"Accept": "application/json"} if json_api else {}
        return requests.get(url, auth=auth, headers=headers, timeout=60)

    def test_the_public_never(self):
        for auth in (None, ("waste", "waste")):
            self.assertNotIn("fermata 42", self.get(self.url, auth).text)
            self.assertNotIn("answers", self.get(self.url, auth, json_api=True).json())

    def test_the_staff_on_their_pages(self):
        for auth, page in (
            (("moderator", "moderator"), ""),
            (("moderator", "moderator"), "/@@moderate"),
            (ADMIN, ""),
        ):
            text = self.get(self.url + page, auth).text
            self.assertIn("Vicino alla fermata 42", text, page)
            self.assertIn("How big is the hole?", text, page)
        data = self.get(self.url, ("moderator", "moderator"), json_api=True).json()
        self.assertEqual(data["answers"][0]["answer"], "More than 30 cm")
        self.assertEqual(data["answers"][0]["value"], "large")

    def test_the_office_once_assigned(self):
        self.transition("assign")
        page = html.fromstring(
            self.get(self.url + "/@@handle", ("roads", "roads")).text
        )
        section = page.xpath('//section[contains(@class, "civicreport-answers")]')[0]
        self.assertIn("Vicino alla fermata 42", section.text_content())
