"""API tokens in the admin: who has which, when each was last used, and revoking them.

Only what tells tokens apart is shown (name, the first characters, dates): the secret is not
kept, and its digest is left out too. Tokens are made only by their owner (the settings page,
or ``POST /api/auth/token/`` with their password), so there is no "add" here: an administrator
who could make one could act as a colleague, and the history would name the wrong person. Nor
is there "delete": a revoked token stays, so a program still using it is told what happened.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import ApiToken, User
from accounts.tokens import REVOKED_BY_ADMINISTRATOR, revoke_tokens_of, token_status

LONDON = ZoneInfo("Europe/London")


def _is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_superuser", False))


def _london(moment: Any) -> str:
    if moment is None:
        return "-"
    local = timezone.localtime(moment, LONDON)
    return f"{local.day} {local:%b %Y, %H:%M %Z}"


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked__isnull=True, expires__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked__isnull=True, expires__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "person",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "status",
    )
    list_filter = (StatusFilter, "created", "last_used")
    search_fields = ("name", "prefix", "user__name", "user__email")
    list_select_related = ("user",)
    ordering = ("-created", "-pk")
    actions = ["revoke"]
    fields = (
        "name",
        "person",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "status",
        "revoked_at",
        "revoked_reason",
    )
    readonly_fields = fields

    @admin.display(description="Person", ordering="user__name")
    def person(self, token: ApiToken) -> SafeString:
        link = reverse("admin:accounts_user_change", args=[token.user.pk])
        return format_html('<a href="{}">{}</a>', link, token.user.name or token.user.email)

    @admin.display(description="Created (London)", ordering="created")
    def created_at(self, token: ApiToken) -> str:
        return _london(token.created)

    @admin.display(description="Expires (London)", ordering="expires")
    def expires_at(self, token: ApiToken) -> str:
        return _london(token.expires)

    @admin.display(description="Last used (London)", ordering="last_used")
    def last_used_at(self, token: ApiToken) -> str:
        # Recorded at most once a minute per token.
        return "never" if token.last_used is None else _london(token.last_used)

    @admin.display(description="Revoked (London)", ordering="revoked")
    def revoked_at(self, token: ApiToken) -> str:
        return _london(token.revoked)

    @admin.display(description="Status")
    def status(self, token: ApiToken) -> str:
        return token_status(token).capitalize()

    @admin.action(description="Revoke the selected API tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        # As on people: a plan administrator cannot reach a superuser's account.
        if not _is_superuser(request):
            queryset = queryset.filter(user__is_superuser=False)
        people = User.objects.filter(pk__in=queryset.values("user_id"))
        revoked = revoke_tokens_of(
            people, reason=REVOKED_BY_ADMINISTRATOR, request=request, among=queryset
        )
        self.message_user(request, f"API tokens revoked: {revoked}.")

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff) and self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
