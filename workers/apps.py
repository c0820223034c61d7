from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Background work"

    def ready(self) -> None:
        # Rows a page adds to the ledger (a password-reset email) are delivered at once, by the
        # same task the sweeps enqueue, after the page's commit.
        from notifications.password_reset_email import register_delivery_queue
        from workers.tasks import enqueue_deliveries

        register_delivery_queue(enqueue_deliveries)
