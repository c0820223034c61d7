"""Reads of people: the directory that everyone signed in may search.

Names, organisations and job titles are for everyone signed in; an email address only for
administrators, the person themselves and the people they work with. Who works with whom
depends on plans and boards, which the apps above this one know: each adds its rule with
``register_colleagues`` when it starts (``AppConfig.ready``), so nothing here imports them.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from accounts.models import SsoOnlyOrganisation, User

# For a signed-in person: a condition on people, true of those they work with.
ColleaguesRule = Callable[[User], Q]

_colleague_rules: list[ColleaguesRule] = []


def register_colleagues(rule: ColleaguesRule) -> None:
    """Add a rule of who works with whom; called at start-up by the app that knows it."""
    if rule not in _colleague_rules:
        _colleague_rules.append(rule)


def _signed_in(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def email_visible_to(viewer: User) -> Q:
    """The people whose email the viewer may see: themselves and the people they work with."""
    condition = Q(pk=viewer.pk)
    for rule in _colleague_rules:
        condition |= rule(viewer)
    return condition


def _matching(people: QuerySet[User], search: str, *, by_email: bool) -> QuerySet[User]:
    """Every word of the search in the name, organisation or job title (any case)."""
    for word in search.split():
        match = (
            Q(name__icontains=word) | Q(organisation__icontains=word) | Q(job_title__icontains=word)
        )
        if by_email:
            match |= Q(email__icontains=word)
        people = people.filter(match)
    return people


def people_directory(*, viewer: User | AnonymousUser, search: str = "") -> QuerySet[User]:
    """People by name, each with ``email_visible``.

    Inactive people (who can no longer sign in) are listed to administrators only. Only
    administrators' searches match email addresses: anyone else could otherwise find out,
    letter by letter, the address of someone whose email they may not see.
    """
    if not _signed_in(viewer):
        return User.objects.none()
    assert isinstance(viewer, User)
    people = User.objects.all()
    visible: Value | Case
    if viewer.is_staff:
        visible = Value(True, output_field=BooleanField())
    else:
        people = people.filter(is_active=True)
        visible = Case(
            When(email_visible_to(viewer), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    people = _matching(people, search, by_email=viewer.is_staff)
    return people.annotate(email_visible=visible).order_by("name", "pk")


def organisation_must_use_sso(organisation: str) -> bool:
    """Whether people of this organisation (as written on their record, any case) must sign in
    through single sign-on: their passwords are refused and cannot be reset."""
    organisation = organisation.strip()
    return bool(organisation) and (
        SsoOnlyOrganisation.objects.filter(organisation__iexact=organisation).exists()
    )
