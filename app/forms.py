"""Form pieces shared by several features."""
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes: keyboard- and screen-reader-friendly, unlike <select multiple>."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
