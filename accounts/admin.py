"""People in the admin: the email-login user, with Django's password handling.

Plan administrators (``is_staff``) get every permission on people and tokens from
``accounts.backends.PlanAdministratorBackend``, so the limits that keep them below a superuser
live here: only a superuser may make someone a superuser, hand out groups or raw permissions,
touch a superuser's account. API tokens are listed without their secrets
(``accounts.admin_tokens``).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from accounts.tokens import REVOKED_BY_ADMINISTRATOR, revoke_tokens_of

# What only a superuser may set: each of them can make someone a superuser, or nearly.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


def _is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_superuser", False))


def _out_of_reach(request: HttpRequest, person: Any) -> bool:
    """A superuser's account, seen by someone who is not one."""
    return bool(getattr(person, "is_superuser", False)) and not _is_superuser(request)


def _clean_email(form: forms.ModelForm) -> str:
    """Emails are stored lower-case and must be unique whatever their case."""
    email = str(form.cleaned_data.get("email") or "").strip().lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk is not None:
        others = others.exclude(pk=form.instance.pk)
    if email and others.exists():
        raise forms.ValidationError("Someone already signs in with this email address.")
    return email


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "organisation", "job_title")

    def clean_email(self) -> str:
        return _clean_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_email(self)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    actions = ["revoke_api_tokens"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "organisation", "job_title")}),
        (
            "Access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": (
                    "Plan administrators can use this admin site. Superusers have every "
                    "permission without it being given."
                ),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "organisation",
                    "job_title",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("name", "email", "organisation", "job_title", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "organisation", "groups")
    search_fields = ("name", "email", "organisation", "job_title")
    ordering = ("name", "email")
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Read-only fields are left out of the form, so posting them anyway changes nothing.
        fields = tuple(super().get_readonly_fields(request, obj))
        if not _is_superuser(request):
            fields += tuple(f for f in SUPERUSER_ONLY_FIELDS if f not in fields)
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Also guards the password page (UserAdmin.user_change_password asks this with the user).
        if _out_of_reach(request, obj):
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description="Sign out of the API (revoke their API tokens)")
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        people = queryset if _is_superuser(request) else queryset.filter(is_superuser=False)
        revoked = revoke_tokens_of(people, reason=REVOKED_BY_ADMINISTRATOR, request=request)
        self.message_user(request, f"API tokens revoked: {revoked}.")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Django asks this for each person ticked for "Delete selected" too.
        if _out_of_reach(request, obj):
            return False
        return super().has_delete_permission(request, obj)


# Each sign-in concern registers its own admin pages.
from accounts import admin_records, admin_second_factor, admin_sso, admin_tokens  # noqa: E402, F401
