"""``GET <site>/@report-categories``: what a client needs to offer the
categories a citizen may choose, and their extra questions, as the report
form does."""

from collective.civicreports.categories.questions import as_dict
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import ANONYMOUS
from collective.civicreports.categories.registry import answer_days
from collective.civicreports.categories.registry import identification
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone.restapi.services import Service
from zope.i18n import translate


class ReportCategoriesGet(Service):
    """The active categories, ordered by title. The office stays out: it is
    the staff's organisation, and clients do not choose it."""

    def reply(self):
        return {
            "@id": f"{self.context.absolute_url()}/@report-categories",
            "items": [
                self._item(key, category) for key, category in active_categories()
            ],
        }

    def _item(self, key, category):
        kind_title = KIND_TITLES.get(category.kind)
        return {
            "id": key,
            "title": category.title or key,
            "description": category.description or "",
            "kind": category.kind,
            "kind_title": translate(kind_title, context=self.request)
            if kind_title
            else category.kind,
            # anonymous, account or digital_identity (SPID or CIE).
            "identification": identification(category),
            # Kept for the clients written before identification.
            "allow_anonymous": identification(category) == ANONYMOUS,
            # Days to answer; None: the site's term.
            "answer_days": answer_days(category),
            "within_territory": bool(category.within_territory),
            "questions": [
                as_dict(question, self.request)
                for question in category_questions(category)
            ],
        }
