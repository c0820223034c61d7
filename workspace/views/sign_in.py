"""Signing in and out of the workspace: email and password, held to the API's limits, or an
organisation's single sign-on (``accounts.sso``)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.sso.sign_out import provider_sign_out_url
from accounts.views import ThrottledLoginView
from workspace.forms import WorkspaceSignInForm
from workspace.sign_in import other_sign_in_methods


class SignInView(ThrottledLoginView):
    """Django's sign-in, with the token endpoint's limits on guessing (``accounts.forms``)."""

    template_name = "workspace/sign_in.html"
    authentication_form = WorkspaceSignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["other_methods"] = other_sign_in_methods(str(context.get("next") or ""))
        return context


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """A form's POST (with its CSRF token), never a link: a link could sign anyone out.

    Someone who signed in through a provider that offers it is sent on to sign out there too,
    and the provider sends them back to the home page.
    """
    home = reverse("workspace:home")
    at_provider = provider_sign_out_url(request, come_back_to=request.build_absolute_uri(home))
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect(at_provider or home)
