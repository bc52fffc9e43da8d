"""Reading the values of a form or a query string that ``edge`` cleaned."""

from collective.civicreports import _
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import NOT_TEXT
from z3c.form.interfaces import IFileWidget
from z3c.form.interfaces import ITextAreaWidget
from z3c.form.interfaces import ITextLinesWidget
from z3c.form.interfaces import ITextWidget
from zope.i18n import translate


GIVEN_TWICE = _("This value was given more than once.")


def value(form, name, default=""):
    """The one text value of ``name``; BadInput if it was sent twice or is
    not text (a file where a text was expected)."""
    found = form.get(name, default)
    if found is None:
        return default
    if isinstance(found, (list, tuple)):
        raise BadInput(name, GIVEN_TWICE)
    if not isinstance(found, str):
        raise BadInput(name, NOT_TEXT)
    return found


def values(form, name):
    """Every text value of ``name``, for inputs that may repeat."""
    found = form.get(name)
    if found is None:
        return []
    items = found if isinstance(found, (list, tuple)) else [found]
    if not all(isinstance(item, str) for item in items):
        raise BadInput(name, NOT_TEXT)
    return list(items)


def _takes_one_text(widget):
    """Whether a widget reads one string (selections read lists, compound
    widgets such as the map's several inputs)."""
    if IFileWidget.providedBy(widget):
        return False
    return any(
        interface.providedBy(widget)
        for interface in (ITextWidget, ITextAreaWidget, ITextLinesWidget)
    )


class OneValueEach:
    """A mixin for z3c.form forms: a value given twice where the widget
    takes one is an error of the form, not a crash in a data converter
    (z3c.form hands the list to ``fromUnicode``). The form is shown again
    with the message, and no button runs."""

    def updateActions(self):
        super().updateActions()
        widgets = list(self.widgets.values())
        for group in getattr(self, "groups", ()):
            widgets.extend(group.widgets.values())
        form = self.request.form
        repeated = [
            widget
            for widget in widgets
            if _takes_one_text(widget)
            and isinstance(form.get(widget.name), (list, tuple))
        ]
        if not repeated:
            return
        for widget in repeated:
            form[widget.name] = ""
        for action in self.actions.values():
            form.pop(action.name, None)
        labels = ", ".join(translate(w.label, context=self.request) for w in repeated)
        message = translate(GIVEN_TWICE, context=self.request)
        self.status = f"{labels}: {message}"
