from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Workspace"

    def ready(self) -> None:
        # The admin has registered every app's classes by now (its own ready() runs first).
        from workspace.admin_links import link_admin_to_workspace

        link_admin_to_workspace()
