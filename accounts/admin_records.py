"""Sign-in records in the admin: read by administrators, never added, changed or deleted.

Records leave only when they expire (``SIGN_IN_RECORDS_KEEP_DAYS``, the daily sweep in
``workers.schedule``). Plan administrators hold every permission on this app
(``accounts.backends``), so the refusals are made here, for everyone, superusers included.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import SignInRecord

LONDON = ZoneInfo("Europe/London")


@admin.register(SignInRecord)
class SignInRecordAdmin(admin.ModelAdmin):
    list_display = ("time", "event", "person", "email", "method", "address", "detail")
    list_filter = ("event", "method", "at")
    search_fields = ("email", "address")
    list_select_related = ("user",)
    list_per_page = 100
    # Counting a year of records twice per page is wasted work: one count is enough.
    show_full_result_count = False
    ordering = ("-at", "-pk")
    fields = ("time", "event", "person", "email", "method", "address", "detail")
    readonly_fields = fields

    @admin.display(description="Time (London)", ordering="at")
    def time(self, record: SignInRecord) -> str:
        # Seconds and the zone name: "GMT" or "BST" settles which hour a record means.
        local = timezone.localtime(record.at, LONDON)
        return f"{local.day} {local:%b %Y, %H:%M:%S %Z}"

    @admin.display(description="Person", ordering="user__name")
    def person(self, record: SignInRecord) -> SafeString | str:
        if record.user is None:
            return "-"
        link = reverse("admin:accounts_user_change", args=[record.user.pk])
        return format_html('<a href="{}">{}</a>', link, record.user.name or record.user.email)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff) and super().has_view_permission(request, obj)
