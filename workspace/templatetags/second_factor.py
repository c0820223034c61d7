"""``{% load second_factor %}``: whether a person signs in with a second factor."""

from django import template

from accounts.second_factor import second_factor_required

register = template.Library()


@register.filter
def needs_second_factor(user: object) -> bool:
    return second_factor_required(user)
