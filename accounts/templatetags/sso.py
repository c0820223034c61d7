"""``{% sso_sign_in_buttons next as buttons %}``: the single sign-on buttons, for the admin's
sign-in page (the workspace's page gets them from its view)."""

from django import template

from accounts.sso.buttons import sign_in_buttons

register = template.Library()


@register.simple_tag
def sso_sign_in_buttons(next_url: str = "") -> list[tuple[str, str]]:
    return sign_in_buttons(str(next_url or ""))
