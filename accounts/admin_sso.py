"""Organisations that must use single sign-on, in the admin.

Their people's passwords are refused everywhere (``accounts.backends``) and their API tokens
end (``accounts.signals``); they sign in with their organisation's button instead. The page
says how many people each entry reaches, and warns when no provider is configured, since those
people could then not sign in at all.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import HttpRequest

from accounts.models import SsoOnlyOrganisation, User
from accounts.sso.providers import configured as sso_providers


class SsoOnlyOrganisationForm(forms.ModelForm):
    class Meta:
        model = SsoOnlyOrganisation
        fields = ("organisation",)

    def clean_organisation(self) -> str:
        organisation = " ".join(str(self.cleaned_data.get("organisation") or "").split())
        others = SsoOnlyOrganisation.objects.filter(organisation__iexact=organisation)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        if organisation and others.exists():
            raise forms.ValidationError("This organisation is already on the list.")
        return organisation


def _people_of(organisation: str) -> QuerySet[User]:
    return User.objects.filter(organisation__iexact=organisation.strip())


@admin.register(SsoOnlyOrganisation)
class SsoOnlyOrganisationAdmin(admin.ModelAdmin):
    form = SsoOnlyOrganisationForm
    list_display = ("organisation", "people", "created")
    search_fields = ("organisation",)
    ordering = ("organisation",)
    fields = ("organisation",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SsoOnlyOrganisation]:
        people = (
            User.objects.annotate(org=Lower("organisation"))
            .filter(org=Lower(OuterRef("organisation")))
            .values("org")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(people_count=Subquery(people, output_field=IntegerField()))
        )

    @admin.display(description="People who must use single sign-on")
    def people(self, entry: Any) -> int:
        return int(getattr(entry, "people_count", None) or 0)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "GET" and not sso_providers():
            self.message_user(
                request,
                "No single sign-on provider is set up on this service: people of an "
                "organisation on this list cannot sign in at all until one is.",
                messages.WARNING,
            )
        return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        count = _people_of(obj.organisation).count()
        self.message_user(
            request,
            f"{count} {'person' if count == 1 else 'people'} of {obj.organisation} now sign "
            "in only through single sign-on: their passwords are refused.",
            messages.INFO,
        )
