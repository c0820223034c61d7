"""End-to-end tests: real Celery worker and beat processes, a real broker and an SMTP server."""
