from django.db import migrations

# The kinds of plan councils publish after an area SEND inspection. They are data: an
# administrator can add another in the admin without a code change.
STANDARD_TYPES = [
    ("written-statement-of-action", "Written Statement of Action (WSOA)"),
    ("strategic-plan", "Strategic plan"),
    ("priority-action-plan", "Priority action plan"),
    ("send-and-inclusion-plan", "SEND and Inclusion Plan"),
]


def add_types(apps, schema_editor):
    PlanType = apps.get_model("actions", "PlanType")
    for slug, name in STANDARD_TYPES:
        PlanType.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
