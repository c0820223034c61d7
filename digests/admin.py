"""Digest snapshots in the admin: read only, what each board was told and to whom."""

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from digests.models import DigestSnapshot


@admin.register(DigestSnapshot)
class DigestSnapshotAdmin(admin.ModelAdmin):
    list_display = ["plan", "board", "audience", "period", "as_of", "created_at", "queued_at"]
    list_filter = ["audience", "period"]
    search_fields = ["plan__title", "plan__slug", "board__name"]
    date_hierarchy = "as_of"
    list_select_related = ["plan", "board"]
    readonly_fields = [
        "plan",
        "board",
        "audience",
        "period",
        "as_of",
        "created_at",
        "queued_at",
        "sent_to",
        "what_it_said",
    ]
    fields = readonly_fields  # type: ignore[assignment]  # the same list: nothing is editable

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="sent to")
    def sent_to(self, snapshot: DigestSnapshot) -> str:
        return ", ".join(person["email"] for person in snapshot.recipients) or "nobody"

    @admin.display(description="what it said")
    def what_it_said(self, snapshot: DigestSnapshot) -> str:
        return format_html(
            "<pre style='white-space: pre-wrap'>{}</pre>", json.dumps(snapshot.content, indent=2)
        )
