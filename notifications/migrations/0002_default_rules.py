"""The default reminder rule and escalation ladders (issue 3); plans may override them."""

from django.db import migrations

# (item type, level, working days overdue, audience)
DEFAULT_LADDER = [
    ("milestone", 1, 0, "accountable_lead"),
    ("milestone", 2, 5, "executive"),
    ("milestone", 3, 15, "lead_member"),
    # The owner is nudged from the first late day by the reminders; the ladder goes above them.
    ("action", 1, 5, "accountable_lead"),
    ("action", 2, 15, "executive"),
    ("action", 3, 25, "lead_member"),
]


def add_defaults(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    EscalationStep = apps.get_model("notifications", "EscalationStep")
    if not ReminderRule.objects.filter(plan__isnull=True).exists():
        ReminderRule.objects.create(plan=None, days_before=[10, 3], on_due_date=True, overdue_every=5)
    for item_type, level, days, audience in DEFAULT_LADDER:
        EscalationStep.objects.get_or_create(
            plan=None,
            item_type=item_type,
            level=level,
            defaults={"after_working_days": days, "audience": audience},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_ledger_rules_escalations")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
