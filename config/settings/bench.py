"""``make bench-api``: the production settings, served over plain HTTP on loopback.

benchmarks/api_load.py sets SECRET_KEY and ALLOWED_HOSTS for the run. Only what a load test
on loopback cannot have differs from production: no redirect to HTTPS, and the URLconf adds
the floor views of benchmarks/floor.py beside the site.
"""

import warnings

from config.settings.production import *  # noqa: F403

# Static files are not part of the load test: no collectstatic, and no warning about it.
warnings.filterwarnings("ignore", message="No directory at")

SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "benchmarks.floor"
# Gunicorn's access log is off too: a line per request would be timed as well.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# The load test's administrators sign in with a password alone: a second factor is typed once
# per session by a person, and a load test has no authenticator app.
SECOND_FACTOR_FOR_STAFF = False
