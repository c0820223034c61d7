"""What every admin of the plan shares: history to read, and the services' messages on forms."""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    """History to read, never to restore.

    SIMPLE_HISTORY_REVERT_DISABLED only hides the revert button; a posted old version would
    still be saved, past the status service, the structure rules and the version check.
    """

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def add_structure_errors(form: forms.ModelForm, errors: dict[str, list[str]]) -> None:
    """The structure rules' messages (``actions.services``) beside the fields they name."""
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
