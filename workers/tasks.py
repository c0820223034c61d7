"""Thin Celery tasks: each takes ids, calls one service and holds only its retry policy."""

from celery import shared_task


@shared_task(name="workers.ping")
def ping() -> str:
    """Answers 'pong': lets an operator (and a test) prove a worker is consuming the broker."""
    return "pong"
