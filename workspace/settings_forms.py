"""The forms of "Your settings": the reminder choices (the signed link's form, in GOV.UK's
markup) and the name of a new API token.

The fields, their words and their checks are those of the preferences page reached from a
reminder (``notifications.forms.PreferencesForm``), so the two pages and
``PATCH /api/me/preferences/`` accept and refuse the same things.
"""

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from accounts.tokens import NAME_MAX_LENGTH
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


class ApiTokenCreateForm(forms.Form):
    """The name of a new API token: what it is for, to tell a person's tokens apart."""

    bound_field_class = GovukBoundField

    name = forms.CharField(
        label="Name of the new token",
        help_text="What it is for, so that you can tell your tokens apart. For example, "
        "“Monthly returns spreadsheet”.",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter a name for the token, such as the program that will use it",
            "max_length": f"Name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the page has other forms.
        kwargs.setdefault("auto_id", "token_%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}
        )
