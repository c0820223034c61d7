"""The reminder choices on "Your settings": the signed link's form, in GOV.UK's markup.

The fields, their words and their checks are those of the preferences page reached from a
reminder (``notifications.forms.PreferencesForm``), so the two pages and
``PATCH /api/me/preferences/`` accept and refuse the same things.
"""

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from notifications.forms import PreferencesForm


class GovukBoundField(BoundField):
    """Adds GOV.UK's error border to a text box that has an error. Django already points the
    box at its hint and its error message (``aria-describedby``)."""

    def build_widget_attrs(self, attrs: Any, widget: Any = None) -> dict[str, Any]:
        built = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not isinstance(widget, forms.CheckboxInput):
            classes = widget.attrs.get("class", "")
            built["class"] = f"{classes} govuk-input--error".strip()
        return built


class SettingsPreferencesForm(PreferencesForm):
    bound_field_class = GovukBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "govuk-checkboxes__input"
            else:
                field.widget.attrs["class"] = "govuk-input govuk-input--width-10"
                field.widget.attrs["spellcheck"] = "false"
