"""Production asks staff for a second factor unless told not to; development does not."""

from pathlib import Path

from tests.test_settings import PRODUCTION, clean_env, settings_of

SHOW = """
import json
from django.conf import settings
print(json.dumps({"on": settings.SECOND_FACTOR_FOR_STAFF, "mw": settings.MIDDLEWARE}))
"""


def test_production_asks_staff_for_a_second_factor(tmp_path: Path) -> None:
    shown = settings_of(clean_env(tmp_path, **PRODUCTION), SHOW)

    assert shown["on"] is True
    middleware = list(shown["mw"])  # type: ignore[call-overload]
    assert middleware.index("accounts.middleware.SecondFactorMiddleware") == (
        middleware.index("django_otp.middleware.OTPMiddleware") + 1
    )
    assert middleware.index("django_otp.middleware.OTPMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_production_can_be_told_not_to(tmp_path: Path) -> None:
    env = clean_env(tmp_path, **PRODUCTION | {"SECOND_FACTOR_FOR_STAFF": "false"})

    assert settings_of(env, SHOW)["on"] is False


def test_development_signs_in_with_a_password_alone(tmp_path: Path) -> None:
    assert settings_of(clean_env(tmp_path), SHOW)["on"] is False
