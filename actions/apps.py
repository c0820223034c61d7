from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Action plans"

    def ready(self) -> None:
        # The people directory (accounts) shows an email to the people someone works with,
        # which only plans and boards can tell.
        from accounts.selectors import register_colleagues
        from actions.selectors import colleagues_of

        register_colleagues(colleagues_of)
