"""Keys issued before tokens had names and expiries keep working, as named, expiring tokens.

The old keys lived in REST framework's ``authtoken_token`` table, in plain text. Each is copied
as its digest, named "API token", with the usual lifetime from today, and then removed from the
old table: a copy of the database must sign no one in. The table is read with plain SQL, only
if it exists, because that app is no longer installed; a new database has no such table and
nothing to copy.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def copy_old_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    table = connection.ops.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id FROM {table}")
        rows = cursor.fetchall()
    now = timezone.now()
    expires = now + dt.timedelta(days=getattr(settings, "API_TOKEN_MAX_AGE_DAYS", 90))
    for key, user_id in rows:
        digest = hashlib.sha256(str(key).encode()).hexdigest()
        ApiToken.objects.get_or_create(
            key_digest=digest,
            defaults={
                "user_id": user_id,
                "name": "API token",
                "prefix": str(key)[:8],
                "created": now,
                "expires": expires,
            },
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_tokens_sign_in_records_sso_only"),
    ]

    operations = [
        migrations.RunPython(copy_old_tokens, migrations.RunPython.noop, elidable=True),
    ]
