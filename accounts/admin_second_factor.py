"""The second factor in the admin: a superuser can reset a person's, nothing more.

Someone who lost their phone and their recovery codes cannot sign in; a superuser resets their
second factor (the action on the people list) and they set up an app again at their next
sign-in. django-otp's own device pages are taken out of the admin: on them anyone allowed
could add a device with a key of their choosing to a colleague's account, and so pass that
colleague's second factor.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.second_factor import second_factor_reset


def _is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_superuser", False))


@admin.action(
    description="Reset their second factor (they set up an app again)",
    permissions=["reset_second_factor"],
)
def reset_second_factor(
    modeladmin: "admin.ModelAdmin[User]", request: HttpRequest, queryset: QuerySet[User]
) -> None:
    if not _is_superuser(request):  # the action is not offered to them; a forged POST
        modeladmin.message_user(request, "Only a superuser can reset a second factor.", "error")
        return
    people = [person for person in queryset if second_factor_reset(user=person)]
    modeladmin.message_user(
        request,
        f"Second factor reset for {len(people)} of {queryset.count()} people selected. They "
        "set up an authenticator app the next time they sign in.",
    )


for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Added to the people list's actions, shown to superusers only.
_people = admin.site.get_model_admin(User)
_people.actions = [*(_people.actions or []), reset_second_factor]
# Django offers an action whose permissions are ["x"] only if has_x_permission(request).
_people.has_reset_second_factor_permission = _is_superuser  # type: ignore[attr-defined]
