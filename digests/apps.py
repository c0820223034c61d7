from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Digests and briefings"

    def ready(self) -> None:
        # The ledger's digest, briefing and summary rows are rendered here, from their
        # snapshots; the notifications app below only knows the registry.
        from digests.emails import build_snapshot_message
        from notifications.emails import register_message_builder
        from notifications.models import NotificationKind

        register_message_builder(
            (NotificationKind.DIGEST, NotificationKind.BRIEFING, NotificationKind.SUMMARY),
            build_snapshot_message,
        )
