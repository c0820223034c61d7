"""Development: works with no environment at all (see base.py for the embedded defaults)."""

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

DEBUG = env_bool("DEBUG", True)
# `make run` serves on WEB_PORT (Procfile.dev); web, worker and beat all inherit it, so the
# links each of them writes into emails and pages point at the server that is running.
WEB_PORT = env_int("WEB_PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{WEB_PORT}").rstrip("/")
# Under `make run` the next scan comes within a minute, not five.
NOTIFICATIONS_SCAN_EVERY_SECONDS = env_int("NOTIFICATIONS_SCAN_EVERY_SECONDS", 60)

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "mail").mkdir(exist_ok=True)
for _folder in ("queue", "processed", "control"):
    (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
