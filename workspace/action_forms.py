"""The action page's update form: it reads what was typed; ``action_update_status`` decides
what may be recorded, and its refusals are put beside the fields here.

The form takes what the API's ``ProgressUpdateInputSerializer`` takes, with the same limits,
in the shapes a person types: radios, a GOV.UK date input (day, month, year) and evidence
links one on each line.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from actions.models import Action, ActionStatus, Rag

# The API's limits (actions.input_serializers.ProgressUpdateInputSerializer).
MAX_COMMENTARY = 10_000
MAX_LINKS = 50
MAX_LINK_LENGTH = 2_000

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three boxes named ``<field>_day``, ``<field>_month`` and ``<field>_year``."""

    def __init__(self) -> None:
        super().__init__(widgets={part: forms.TextInput() for part in DATE_PARTS})

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]


class DateInputField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK pattern's messages."""

    widget = DateInputWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        parts = tuple(forms.CharField(required=False, max_length=10) for _ in DATE_PARTS)
        super().__init__(parts, require_all_fields=False, label=label, **kwargs)

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list:
            return None
        values = dict(zip(DATE_PARTS, (value.strip() for value in data_list), strict=True))
        missing = [part for part in DATE_PARTS if not values[part]]
        if missing:
            raise ValidationError(f"{self.label} must include a {' and a '.join(missing)}.")
        if not all(value.isdigit() for value in values.values()) or len(values["year"]) != 4:
            raise ValidationError(f"{self.label} must be a real date, for example 27 3 2026.")
        try:
            return dt.date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            raise ValidationError(
                f"{self.label} must be a real date, for example 27 3 2026."
            ) from None


class ActionUpdateForm(forms.Form):
    # The version of the action the page showed: an update made meanwhile (on this page, by
    # the API or from an email link) is never silently overwritten. Absent, as an absent
    # If-Match in the API, it checks nothing.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the action's status.",
            "invalid_choice": "Choose one of the statuses in the list.",
        },
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a RAG rating.",
            "invalid_choice": "Choose one of the RAG ratings in the list.",
        },
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        max_length=MAX_COMMENTARY,
        strip=True,
        widget=forms.Textarea,
        error_messages={
            "max_length": "Commentary must be %(limit_value)d characters or fewer.",
        },
    )
    completed_on = DateInputField(label="Date completed", required=False)
    evidence_links = forms.CharField(
        label="Evidence links",
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # GOV.UK ids: the field's name, so the error summary's links read "#commentary".
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(action: Action) -> dict[str, Any]:
        return {
            "version": action.version,
            "status": action.status,
            "rag": action.rag,
            "completed_on": action.completed_on,
        }

    def clean_evidence_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines()]
        links = [line for line in lines if line]
        if len(links) > MAX_LINKS:
            raise ValidationError(f"Give {MAX_LINKS} evidence links or fewer.")
        for number, link in enumerate(links, start=1):
            if len(link) > MAX_LINK_LENGTH:
                raise ValidationError(
                    f"Evidence link {number} must be {MAX_LINK_LENGTH:,} characters or fewer."
                )
        return links

    def service_arguments(self) -> dict[str, Any]:
        """What ``action_update_status`` takes, as the API passes it."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "rag": data["rag"],
            "commentary": data["commentary"],
            "evidence_links": data["evidence_links"],
            "completed_on": data["completed_on"],
            "expected_version": data["version"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's refusal beside the fields it names (anything else above them)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)

    def anchor(self, name: str) -> str:
        """The id of the first box of a field: where the error summary's link goes."""
        if name == "completed_on":
            return "completed_on_day"
        if name in self.fields and name != "version":
            return name
        return "status"

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in the order of the fields on the page."""
        names = [NON_FIELD_ERRORS, *self.fields]
        return [
            (self.anchor(name), str(message))
            for name in names
            if name in self.errors
            for message in self.errors[name]
        ]

    def date_boxes(self) -> list[dict[str, str]]:
        """The completion date's three boxes: name, label, width and what to show in each."""
        bound = self["completed_on"]
        value = bound.value()
        shown = value if isinstance(value, list) else DateInputWidget().decompress(value)
        widths = {"day": "2", "month": "2", "year": "4"}
        return [
            {
                "name": f"completed_on_{part}",
                "label": part.capitalize(),
                "width": widths[part],
                "value": shown[index] or "",
            }
            for index, part in enumerate(DATE_PARTS)
        ]
