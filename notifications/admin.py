"""Rules and ladders to edit; the ledger and escalations to read (and failed mail to resend);
addresses we could not reach, to clear once a person's inbox works again.

A plan's own reminder rule and escalation ladder are edited on the plan's admin page too, and
the people's list can be filtered by whether their address is reachable.
"""

import re
from typing import Any

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from accounts.models import User
from actions.admin.base import AuditedAdmin
from actions.models import Plan
from notifications.models import (
    Escalation,
    EscalationStep,
    Notification,
    NotificationPreference,
    ReminderRule,
    UnreachableAddress,
)
from notifications.reachability import address_clear
from notifications.services import notifications_requeue


class ReminderRuleInline(admin.StackedInline):
    """This plan's own reminders; without one, the default rule applies."""

    model = ReminderRule
    extra = 0
    max_num = 1
    verbose_name = "reminder rule of this plan (instead of the default)"
    verbose_name_plural = "reminder rule of this plan (instead of the default)"
    fields = ("days_before", "on_due_date", "overdue_every")


class EscalationStepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        # Two new rows for one level would reach the database's constraint as a 500.
        super().clean()
        seen: set[tuple[str, int]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = (data.get("item_type"), data.get("level"))
            if key in seen:
                form.add_error("level", "This plan's ladder already has this level.")
            seen.add(key)


class EscalationStepInline(admin.TabularInline):
    """This plan's own ladder; a plan without steps for an item type uses the default ladder."""

    model = EscalationStep
    formset = EscalationStepFormSet
    extra = 0
    verbose_name = "escalation step of this plan (instead of the default ladder)"
    verbose_name_plural = "escalation steps of this plan (instead of the default ladder)"
    fields = ("item_type", "level", "after_working_days", "audience")


# The plan (actions) must not import the engine, so the engine adds its inlines to the plan's
# page. The Plan admin is registered by now: the import of actions.admin above loads it (and
# the admin's autodiscovery loads admin modules in INSTALLED_APPS order, actions first).
plan_admin = type(admin.site.get_model_admin(Plan))
plan_admin.inlines = (*plan_admin.inlines, ReminderRuleInline, EscalationStepInline)


@admin.register(ReminderRule)
class ReminderRuleAdmin(AuditedAdmin):
    list_display = ("__str__", "days_before", "on_due_date", "overdue_every", "updated_at")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)
    search_fields = ("plan__title",)


@admin.register(EscalationStep)
class EscalationStepAdmin(AuditedAdmin):
    list_display = ("plan_or_default", "item_type", "level", "after_working_days", "audience")
    list_filter = ("item_type", "audience", ("plan", admin.EmptyFieldListFilter))
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)
    ordering = ("plan", "item_type", "level")

    @admin.display(description="Plan")
    def plan_or_default(self, step: EscalationStep) -> str:
        return str(step.plan) if step.plan_id else "Default ladder"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: nobody edits them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "plan",
        "level",
        "audience",
        "due_date",
        "working_days_overdue",
        "people_told",
        "created_at",
        "resolved_at",
    )
    list_filter = ("level", "audience", ("resolved_at", admin.EmptyFieldListFilter), "plan")
    list_select_related = ("plan", "action", "milestone")
    search_fields = ("action__reference", "action__title", "milestone__title")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Escalation]:
        return super().get_queryset(request).prefetch_related("told")

    @admin.display(description="Told")
    def people_told(self, escalation: Escalation) -> str:
        return ", ".join(str(person) for person in escalation.told.all()) or "nobody"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "recipient",
        "kind",
        "occurrence",
        "subject",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "delivery_status",
        "last_error",
    )
    list_filter = ("status", "delivery_status", "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "recipient__name", "subject", "provider_id")
    # The bodies hold working update links: shown with the links blanked, so that an
    # administrator cannot record an update in an owner's name.
    exclude = ("body_text", "body_html")
    readonly_fields = ("text_as_sent",)

    @admin.display(description="Text as sent (update links hidden)")
    def text_as_sent(self, notification: Notification) -> str:
        return re.sub(r"/update/[^/\s]+/", "/update/[link hidden]/", notification.body_text)

    date_hierarchy = "created_at"
    actions = ("send_again",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only pages, but the "send again" action needs the change permission.
        return bool(request.user.has_perm("notifications.change_notification")) and obj is None

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = notifications_requeue(ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - len(ids)
        if ids:
            queued = ngettext(
                "%(count)d email queued to be sent again.",
                "%(count)d emails queued to be sent again.",
                len(ids),
            ) % {"count": len(ids)}
            self.message_user(request, queued, messages.SUCCESS)
        if skipped:
            left = ngettext(
                "%(count)d was not failed (sent, queued or sending) and was left alone.",
                "%(count)d were not failed (sent, queued or sending) and were left alone.",
                skipped,
            ) % {"count": skipped}
            self.message_user(request, left, messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "before_due", "days_before", "on_due_date", "overdue", "digests")
    search_fields = ("user__email", "user__name")
    autocomplete_fields = ("user",)


@admin.register(UnreachableAddress)
class UnreachableAddressAdmin(admin.ModelAdmin):
    """Addresses the provider said cannot receive mail: nothing is sent to them.

    Marks come from delivery receipts, never by hand. Clearing one lets emails go to the address
    again: do it once the person says their inbox works. A person whose address was wrong needs
    no clearing: correct their address and their emails go to the new one.
    """

    list_display = ("email", "people", "since", "reason", "notification_link")
    search_fields = ("email",)
    date_hierarchy = "since"
    fields = ("email", "people", "since", "reason", "notification_link")
    readonly_fields = fields
    actions = ("clear",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # "Clear" says what deleting a mark means; the generic delete would say less.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="People with this address")
    def people(self, mark: UnreachableAddress) -> str:
        people = User.objects.annotate(address=Lower("email")).filter(address=mark.email.lower())
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:accounts_user_change", args=[p.pk]), p.name or p.email)
                for p in people
            ),
        )
        return links or "Nobody now: their address has been changed"

    @admin.display(description="Email that was not delivered")
    def notification_link(self, mark: UnreachableAddress) -> str:
        if mark.notification_id is None:
            return "-"
        url = reverse("admin:notifications_notification_change", args=[mark.notification_id])
        return format_html('<a href="{}">Ledger row {}</a>', url, mark.notification_id)

    @admin.action(
        description="Clear the selected addresses: the person's inbox works again",
        permissions=["delete"],
    )
    def clear(self, request: HttpRequest, queryset: QuerySet[UnreachableAddress]) -> None:
        cleared = sum(address_clear(email=mark.email) for mark in queryset)
        message = ngettext(
            "%(count)d address cleared: emails will be sent to it again.",
            "%(count)d addresses cleared: emails will be sent to them again.",
            cleared,
        ) % {"count": cleared}
        self.message_user(request, message, messages.SUCCESS)


class EmailReachableFilter(admin.SimpleListFilter):
    """On the people's list: whose address the provider could not reach."""

    title = "email reachable"
    parameter_name = "email_reachable"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "No: nothing is sent to it"), ("yes", "Yes")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        marked = Exists(
            UnreachableAddress.objects.annotate(address=Lower("email")).filter(
                address=Lower(OuterRef("email"))
            )
        )
        if self.value() == "no":
            return queryset.filter(marked)
        if self.value() == "yes":
            return queryset.exclude(marked)
        return queryset


# The people's admin is the accounts app's, which must not import the engine: the engine adds
# its filter to it, as it adds its inlines to the plan's page above.
if admin.site.is_registered(User):
    user_admin = type(admin.site.get_model_admin(User))
    user_admin.list_filter = (*user_admin.list_filter, EmailReachableFilter)
