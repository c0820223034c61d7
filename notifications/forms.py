"""Forms of the pages reached from email links.

They only read what was typed (a choice from the list, a date, whole numbers); the services
decide what may be recorded, and their refusals are put beside the fields here.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Field
from django.utils.text import capfirst

from actions.models import ActionStatus, Rag
from notifications.models import NotificationPreference
from notifications.preferences import PREFERENCE_FIELDS

DATE_EXAMPLE = "24/11/2026"


class LinkPageForm(forms.Form):
    """A form whose errors are listed in a GOV.UK error summary, each linking to its field."""

    def error_links(self) -> list[tuple[str, str]]:
        """(the id of the field's first input, the message) for every error, in form order."""
        first = next(iter(self.fields))
        links: list[tuple[str, str]] = []
        names = [name for name in self.fields if name in self.errors]
        if NON_FIELD_ERRORS in self.errors:
            names.insert(0, NON_FIELD_ERRORS)
        for name in names:
            bound = self[name if name in self.fields else first]
            widget = bound.field.widget
            if isinstance(widget, forms.RadioSelect):
                anchor = widget.id_for_label(bound.auto_id, "0")
            else:
                anchor = bound.id_for_label
            links.extend((anchor, str(message)) for message in self.errors[name])
        return links

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's refusal beside the fields it names (others above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class ActionUpdateForm(LinkPageForm):
    # The version of the action the page showed: an update made meanwhile (by the API or
    # another link) is not silently overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
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
        help_text="How delivery is going. A completed action is rated blue.",
        error_messages={
            "required": "Choose a RAG rating.",
            "invalid_choice": "Choose one of the RAG ratings in the list.",
        },
    )
    commentary = forms.CharField(
        label="What has happened since the last update",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Needed when the rating is red or amber, and when the action is blocked, "
        "cancelled, reopened or started again.",
        error_messages={
            "max_length": "Keep the commentary to %(limit_value)d characters or fewer."
        },
    )
    completed_on = forms.DateField(
        label="Date completed",
        required=False,
        input_formats=[
            "%d/%m/%Y",
            "%d %m %Y",
            "%d-%m-%Y",
            "%d.%m.%Y",
            "%Y-%m-%d",
            "%d %B %Y",
            "%d %b %Y",
        ],
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "input-date"}),
        help_text=f"Only when completing the action. For example, {DATE_EXAMPLE}",
        error_messages={
            "invalid": f"Enter the date the action was completed as a real date, for example "
            f"{DATE_EXAMPLE}."
        },
    )


DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


class MilestoneAchievedForm(LinkPageForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    achieved_on = forms.DateField(
        label="Date achieved",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "input-date"}),
        help_text=f"The day the milestone was met. For example, {DATE_EXAMPLE}",
        error_messages={
            "required": "Enter the date the milestone was achieved.",
            "invalid": f"Enter the date the milestone was achieved as a real date, for example "
            f"{DATE_EXAMPLE}.",
        },
    )


def _parse_days(text: str) -> list[int] | None:
    parts = [part for part in re.split(r"[\s,]+", text) if part]
    if not parts:
        return None
    if not all(re.fullmatch(r"[0-9]+", part) for part in parts):
        raise ValidationError(
            "Enter whole numbers of working days separated by commas, for example 10, 3."
        )
    return [int(part) for part in parts]


def _label(name: str) -> str:
    field = NotificationPreference._meta.get_field(name)
    assert isinstance(field, Field)
    return capfirst(str(field.verbose_name))


class PreferencesForm(LinkPageForm):
    before_due = forms.BooleanField(label=_label("before_due"), required=False)
    days_before = forms.CharField(
        label=_label("days_before"),
        required=False,
        max_length=100,
        help_text="Numbers of working days, separated by commas, for example 10, 3. "
        "Leave this empty for the plan's choice (usually 10 and 3 working days before).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "input-days"}),
        error_messages={"max_length": "Enter fewer numbers: %(limit_value)d characters at most."},
    )
    on_due_date = forms.BooleanField(label=_label("on_due_date"), required=False)
    overdue = forms.BooleanField(label=_label("overdue"), required=False)
    as_supporting_owner = forms.BooleanField(label=_label("as_supporting_owner"), required=False)
    digests = forms.BooleanField(label=_label("digests"), required=False)

    def clean_days_before(self) -> list[int] | None:
        return _parse_days(self.cleaned_data["days_before"])

    @staticmethod
    def initial_from(preference: NotificationPreference) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        days = preference.days_before
        initial["days_before"] = ", ".join(str(day) for day in days) if days else ""
        return initial
