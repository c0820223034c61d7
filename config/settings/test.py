"""Tests: the development defaults, or PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set."""

from config.settings.local import *  # noqa: F403

DEBUG = False
# The links in emails and pages, whatever WEB_PORT or SITE_URL a developer's shell exports.
SITE_URL = "http://127.0.0.1:8000"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Serve static files from the apps (as in development) so that tests need no collectstatic
# and whitenoise does not warn about a missing STATIC_ROOT on every request.
WHITENOISE_AUTOREFRESH = True
# Staff sign in with a password alone, whatever a shell exports; tests/second_factor turns the
# second factor on where it is what is tested.
SECOND_FACTOR_FOR_STAFF = False
# Passwords only, whatever a shell exports; tests/sso configures its own providers.
SSO_PROVIDERS = ()
