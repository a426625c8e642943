from django.db import migrations, models

# The dashboard's matrix reads the health rows in this order (kam.portfolio.dashboard).
INDEX = models.Index(
    models.OrderBy(models.F("revenue_actual"), descending=True, nulls_last=True),
    models.F("account"),
    name="health_revenue_desc",
)


def add_index(apps, schema_editor):
    # SQLite cannot index NULLS LAST; `make run`'s small demo does not need the index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("accounts", "AccountHealth"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("accounts", "AccountHealth"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_tenders_contracts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="accounthealth", index=INDEX)],
            database_operations=[migrations.RunPython(add_index, remove_index)],
        ),
    ]
