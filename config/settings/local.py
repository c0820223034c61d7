"""Development: works with no environment at all (see base.py for the embedded defaults)."""

from config.env import env_bool, env_int
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

DEBUG = env_bool("DEBUG", True)
# Under `make run` the next scan comes within a minute, not five.
NOTIFICATIONS_SCAN_EVERY_SECONDS = env_int("NOTIFICATIONS_SCAN_EVERY_SECONDS", 60)

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "mail").mkdir(exist_ok=True)
for _folder in ("queue", "processed", "control"):
    (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
