"""Plan administrators (``is_staff``) may do everything to plans, people and schedules.

The user model promises that "administrators can use the admin site and see and change every
plan", and the API already treats ``is_staff`` that way. Without this backend a plan
administrator who is not a superuser would see an empty admin until someone assigned them
dozens of model permissions one by one.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

# The apps a plan administrator runs: plans, people and their tokens, mail and schedules.
# Not "auth" (groups and raw permissions), which stays with superusers.
PLAN_ADMIN_APPS = frozenset(
    {"actions", "accounts", "authtoken", "notifications", "django_celery_beat"}
)


def _is_plan_admin(user: Any) -> bool:
    return bool(user.is_active and user.is_staff)


class PlanAdministratorBackend(ModelBackend):
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
