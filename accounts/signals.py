"""API tokens end when their person's right to them does: a new password, an account switched
off, or an organisation that must now sign in only through single sign-on.

Watched on the models rather than in each place that changes them (the admin, password reset,
a management command, the shell), so that no way of making the change forgets the tokens. Each
receiver only works out what changed; ``accounts.tokens.revoke_tokens_of`` does the revoking.
Changes made with ``QuerySet.update`` send no signals and are not seen here.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_save, pre_save

from accounts.models import SsoOnlyOrganisation, User
from accounts.selectors import organisation_must_use_sso
from accounts.tokens import (
    REVOKED_DEACTIVATED,
    REVOKED_PASSWORD_CHANGED,
    REVOKED_SSO_ONLY,
    revoke_tokens_of,
)

WATCHED = frozenset({"password", "is_active", "organisation"})
# Set on the instance between pre_save and post_save: why its tokens must go.
_REASON = "_api_tokens_revoke_reason"


def _is_rehash(user: User, update_fields: frozenset[str] | None) -> bool:
    """Django's upgrade of a stored hash at sign-in (the same password, hashed anew)."""
    return (
        getattr(user, "_password", None) is None
        and update_fields == frozenset({"password"})
        and is_password_usable(user.password)
    )


def _reason(before: Mapping[str, Any], user: User, update_fields: frozenset[str] | None) -> str:
    if before["is_active"] and not user.is_active:
        return REVOKED_DEACTIVATED
    if before["password"] != user.password and not _is_rehash(user, update_fields):
        return REVOKED_PASSWORD_CHANGED
    moved = before["organisation"].strip().lower() != user.organisation.strip().lower()
    if moved and organisation_must_use_sso(user.organisation):
        return REVOKED_SSO_ONLY
    return ""


def note_what_ends_tokens(
    sender: type[User], instance: User, raw: bool = False, **kwargs: Any
) -> None:
    setattr(instance, _REASON, "")
    update_fields = kwargs.get("update_fields")
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return  # e.g. last_login at each sign-in: nothing to read
    before = (
        User.objects.filter(pk=instance.pk).values("password", "is_active", "organisation").first()
    )
    if before is not None:
        fields = frozenset(update_fields) if update_fields is not None else None
        setattr(instance, _REASON, _reason(before, instance, fields))


def end_tokens_after_save(sender: type[User], instance: User, **kwargs: Any) -> None:
    reason = getattr(instance, _REASON, "")
    if reason:
        setattr(instance, _REASON, "")
        revoke_tokens_of([instance], reason=reason)


def end_tokens_of_sso_only_organisation(
    sender: type[SsoOnlyOrganisation], instance: SsoOnlyOrganisation, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    people = User.objects.filter(organisation__iexact=instance.organisation.strip())
    revoke_tokens_of(people, reason=REVOKED_SSO_ONLY)


def connect() -> None:
    """Called once by ``AccountsConfig.ready``."""
    pre_save.connect(note_what_ends_tokens, sender=User, dispatch_uid="api-tokens-pre-save")
    post_save.connect(end_tokens_after_save, sender=User, dispatch_uid="api-tokens-post-save")
    post_save.connect(
        end_tokens_of_sso_only_organisation,
        sender=SsoOnlyOrganisation,
        dispatch_uid="api-tokens-sso-only",
    )
