"""Production: refuses to start without its secrets, its https address and a real sender;
passes `manage.py check --deploy`.
"""

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required
from config.settings.base import *  # noqa: F403


def _site_url() -> str:
    """The address in every emailed link: people must reach it, and over TLS."""
    given = env_required("SITE_URL")
    parts = urlsplit(given)
    if parts.scheme != "https" or not parts.hostname:
        raise ImproperlyConfigured(
            f"SITE_URL must be the https:// address people use to reach the service, not {given!r}."
        )
    return given.rstrip("/")


def _from_email() -> str:
    """The sender of every email: a mailbox at a real domain, which replies can reach.

    The development default (an address at localhost) and any host without a dot are
    refused; any other domain is the operator's choice.
    """
    sender = env_required("DEFAULT_FROM_EMAIL")
    mailbox, at, domain = parseaddr(sender)[1].rpartition("@")
    domain = domain.lower().rstrip(".")
    if not (mailbox and at) or "." not in domain or domain.endswith(".localhost"):
        raise ImproperlyConfigured(
            "DEFAULT_FROM_EMAIL must be the service's sender address at a real mail domain, "
            f"not {sender!r}."
        )
    return sender


def _notify_checked(api_key: str, reply_to: str, base_url: str) -> None:
    """With a Notify API key, the rest of Notify's settings must be there and well formed."""
    if not api_key:
        return
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    if not re.fullmatch(rf".+-{uuid}-{uuid}", api_key.strip()):
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY must be the whole key from Notify's API integration page "
            "(its name, the service id and the secret)."
        )
    if not re.fullmatch(uuid, env_required("NOTIFY_TEMPLATE_ID")):
        raise ImproperlyConfigured("NOTIFY_TEMPLATE_ID must be the template's id (a UUID).")
    if reply_to and not re.fullmatch(uuid, reply_to):
        raise ImproperlyConfigured("NOTIFY_REPLY_TO_ID must be a reply-to address's id (a UUID).")
    if urlsplit(base_url).scheme != "https":
        raise ImproperlyConfigured(f"NOTIFY_BASE_URL must start with https://, not {base_url!r}.")


DEBUG = False
try:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        ALLOWED_HOSTS = [env_required("ALLOWED_HOSTS")]
    SITE_URL = _site_url()
    DEFAULT_FROM_EMAIL = _from_email()
    _notify_checked(NOTIFY_API_KEY, NOTIFY_REPLY_TO_ID, NOTIFY_BASE_URL)  # noqa: F405
except ImproperlyConfigured as exc:
    # A missing or wrong setting is an operator's mistake, not a bug: one clear line, no traceback.
    raise SystemExit(f"Refusing to start: {exc}") from None

# Plan administrators and superusers confirm each sign-in with a second factor.
SECOND_FACTOR_FOR_STAFF = env_bool("SECOND_FACTOR_FOR_STAFF", True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
