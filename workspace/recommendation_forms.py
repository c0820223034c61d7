"""The recommendation page's forms: a reading of a success measure, and a milestone achieved.

They only read what was typed (a GOV.UK date input, a number, a note); the services decide
what may be recorded (``reading_record``, ``model_update``), and their refusals are put
beside the fields here. Each form is one of several on the page, so its ids carry a prefix
(``measure-3-value``) and the error summary's links reach the right box.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from workspace.action_forms import DATE_PARTS, DateInputField, DateInputWidget

# The API's limits: MeasureReading.value is DecimalField(max_digits=12, decimal_places=2).
MAX_DIGITS, DECIMAL_PLACES = 12, 2
MAX_NOTE = 10_000
DATE_BOX_WIDTHS = {"day": "2", "month": "2", "year": "4"}


class FigureField(forms.DecimalField):
    """A number as people type it: "1,250" and " 52.5 " are fine."""

    # The stubs type DecimalField.to_python as its parent IntegerField's.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace(",", "").strip()
        return super().to_python(value)


class PageForm(forms.Form):
    """A form on a page of several: GOV.UK ids, error links and the service's refusals."""

    date_field = ""  # the form's GOV.UK date input

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The id is the field's (prefixed) name, so the error summary links to "#measure-3-value".
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def anchor(self, name: str) -> str:
        """The id of a field's first box: where the error summary's link goes."""
        visible = [n for n in self.fields if not self.fields[n].widget.is_hidden]
        if name not in visible:
            name = visible[0]
        bound = self[name]
        if name != self.date_field:
            return bound.auto_id
        # The first box left empty ("must include a month"), else the day.
        typed = bound.value() if isinstance(bound.value(), list) else []
        empty = [
            part for part, text in zip(DATE_PARTS, typed, strict=False) if not (text or "").strip()
        ]
        first = empty[0] if empty and len(empty) < len(DATE_PARTS) else DATE_PARTS[0]
        return f"{bound.auto_id}_{first}"

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in the order of the fields on the page."""
        names = [NON_FIELD_ERRORS, *self.fields]
        return [
            (self.anchor(name), str(message))
            for name in names
            if name in self.errors
            for message in self.errors[name]
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's refusal beside the fields it names (anything else above them)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)

    @property
    def date_input(self) -> forms.BoundField:
        return self[self.date_field]

    @property
    def date_boxes(self) -> list[dict[str, str]]:
        """The date input's three boxes: id and name, label, width and what to show in each."""
        bound = self.date_input
        value = bound.value()
        shown = value if isinstance(value, list) else DateInputWidget().decompress(value)
        return [
            {
                "id": f"{bound.auto_id}_{part}",
                "name": f"{bound.html_name}_{part}",
                "label": part.capitalize(),
                "width": DATE_BOX_WIDTHS[part],
                "value": shown[index] or "",
            }
            for index, part in enumerate(DATE_PARTS)
        ]


class ReadingForm(PageForm):
    """What ``actions.services.reading_record`` takes, as the API's readings endpoint does."""

    date_field = "taken_on"

    taken_on = DateInputField(
        label="Date of the reading",
        error_messages={"required": "Enter the date of the reading."},
    )
    value = FigureField(
        label="Value",
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        error_messages={
            "required": "Enter the value of the reading.",
            "invalid": "Enter the value as a number, for example 52.5.",
            "max_digits": "Enter a value of no more than 12 digits.",
            "max_decimal_places": "Enter a value with no more than 2 decimal places.",
            "max_whole_digits": "Enter a value of no more than 10 digits before the decimal point.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the note to %(limit_value)d characters or fewer."},
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"taken_on": data["taken_on"], "value": data["value"], "note": data["note"]}


class MilestoneAchievedForm(PageForm):
    """The day a milestone was met; the version the page showed guards against a stale write."""

    date_field = "achieved_on"

    # Absent, as an absent If-Match in the API, it checks nothing.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    achieved_on = DateInputField(
        label="Date achieved",
        error_messages={"required": "Enter the date the milestone was achieved."},
    )
