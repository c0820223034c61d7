from django.apps import AppConfig


class PlanPagesConfig(AppConfig):
    name = "plan_pages"
    verbose_name = "Public plan pages"
