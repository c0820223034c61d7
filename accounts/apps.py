from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        # Sign-in records: Django's sign-in, failed sign-in and sign-out signals.
        from accounts import signals_sign_in

        signals_sign_in.connect()
        # API tokens end with a new password, a switched-off account or single sign-on only.
        from accounts import signals

        signals.connect()
