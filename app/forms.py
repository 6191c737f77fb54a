"""Form pieces shared by several features."""
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


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
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)
        shown.add(message)
    if error.message not in shown:
        form.form_errors.append(error.message)
