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
