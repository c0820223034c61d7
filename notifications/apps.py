from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The password-reset email is rendered with a link made just before it is sent.
        from notifications.emails import register_message_builder
        from notifications.models import NotificationKind
        from notifications.password_reset_email import build_password_reset_message

        register_message_builder([NotificationKind.PASSWORD_RESET], build_password_reset_message)
