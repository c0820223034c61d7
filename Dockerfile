# One image for web, worker and beat (see docker-compose.yml); the command picks the role.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN useradd --create-home --uid 1000 app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic imports the production settings, which refuse to load without a secret, the
# public address and the sender: give it throwaway ones that exist only in this build step.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    SITE_URL=https://collectstatic.invalid DEFAULT_FROM_EMAIL=collectstatic@collectstatic.invalid \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var \
 && chown app:app /app/var

USER app

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
