"""Form pieces shared by several features."""

from wtforms import IntegerField, SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.converters import MAX_ID
from app.i18n import lazy_gettext as _l


def select_choices(pairs):
    """WTForms' choice objects for (value, label) pairs: WTForms 3.3 deprecates choices given as tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def record_id(value):
    """`coerce` for fields choosing a record by id: an id a row can have, or 0 for "none".

    A number beyond the database's integers names no record, and binding it
    fails inside the driver (SQLite raises OverflowError above 2^63,
    PostgreSQL refuses above 2^31 - 1): it is refused here as an invalid
    choice, so every form that takes an id answers 4xx the same way.
    """
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("not a record id")
    return number


class IdField(IntegerField):
    """A record id posted by a form (a button's value, a hidden input): 1 to MAX_ID, else the form is invalid."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 1 <= self.data <= MAX_ID:
            self.data = None
            raise ValueError(_l("Not a valid choice."))


class _OptionCheckbox(CheckboxInput):
    """One box of the group. Never `required` itself: a required group needs one box ticked, not each
    (the group's legend says it is required)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("required", False)
        return super().__call__(field, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes: keyboard- and screen-reader-friendly, unlike <select multiple>."""

    widget = ListWidget(prefix_label=False)
    option_widget = _OptionCheckbox()


def show_service_error(form, error):
    """Put a service's refusal on the form: each field's message beside its field, the rest on top.

    Field keys are never shown to people: a message about an input the form
    does not have goes on top as it is, without its key.
    """
    shown = set()
    for name, message in error.field_messages().items():
        field = getattr(form, name, None) if isinstance(name, str) else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        shown.add(message)
    if error.message not in shown:
        form.form_errors.append(error.message)
