"""Plan administrators (``is_staff``) may do everything to plans, people and schedules.

The user model promises that "administrators can use the admin site and see and change every
plan", and the API already treats ``is_staff`` that way. Without this backend a plan
administrator who is not a superuser would see an empty admin until someone assigned them
dozens of model permissions one by one.

The same backend refuses the password of anyone whose organisation must sign in through
single sign-on (``SsoOnlyOrganisation``). Every password sign-in (the workspace's page, the
admin's, the browsable API's and the token endpoint) asks the backends, so refusing here
covers them all; the refusal is a ``ValidationError`` so that each form and the API say why
("use your organisation's sign-in button") instead of "wrong password". It comes only after
the right password, as Django's "this account is inactive" does: a wrong guess learns nothing.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import SignInEvent
from accounts.selectors import organisation_must_use_sso
from accounts.sign_in_records import record_sign_in
from accounts.sso.providers import configured as sso_providers

# The apps a plan administrator runs: plans, people and their tokens (in accounts), mail and
# schedules. Not "auth" (groups and raw permissions), which stays with superusers.
PLAN_ADMIN_APPS = frozenset({"actions", "accounts", "notifications", "django_celery_beat"})


def _is_plan_admin(user: Any) -> bool:
    return bool(user.is_active and user.is_staff)


class SsoRequired(ValidationError):
    """A right password from someone who must sign in through their organisation instead."""


def must_use_sso(user: Any) -> bool:
    return organisation_must_use_sso(str(getattr(user, "organisation", "") or ""))


def sso_required_message() -> str:
    if not sso_providers():
        return (
            "Your organisation signs in through single sign-on, which is not set up on this "
            "service yet. Ask your plan administrator."
        )
    return (
        "Your organisation signs in through single sign-on, not a password. Use your "
        "organisation's sign-in button on the sign-in page instead."
    )


class PlanAdministratorBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and must_use_sso(user):
            record_sign_in(
                SignInEvent.SIGN_IN_FAILED,
                method="password",
                request=request,
                user=user,
                detail="refused: their organisation must use single sign-on",
            )
            raise SsoRequired(sso_required_message(), code="sso_required")
        return user

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        granted = super().get_all_permissions(user_obj, obj)
        if obj is not None or not _is_plan_admin(user_obj):
            return granted
        cache = "_plan_admin_perm_cache"
        if not hasattr(user_obj, cache):
            perms = Permission.objects.filter(
                content_type__app_label__in=PLAN_ADMIN_APPS
            ).values_list("content_type__app_label", "codename")
            setattr(user_obj, cache, {f"{app}.{codename}" for app, codename in perms})
        return granted | getattr(user_obj, cache)
