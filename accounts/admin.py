"""People in the admin: the email-login user, with Django's password handling."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import User


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
