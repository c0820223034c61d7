"""Fault injection against the real stack (``make faults``; docs/faults.md).

PostgreSQL, Redis, an SMTP server, gunicorn, a Celery worker and beat run on loopback, all
started and stopped by the harness; one fault at a time is injected while a fresh set of
reminders is due, and the harness counts what arrived, twice or not at all.
"""
