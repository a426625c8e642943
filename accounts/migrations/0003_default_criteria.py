from django.db import migrations


def add_default_criteria(apps, schema_editor):
    from accounts.defaults import DEFAULT_CRITERIA

    Criterion = apps.get_model("accounts", "QualificationCriterion")
    for order, (code, label, help_text, weight, dimension, types) in enumerate(DEFAULT_CRITERIA):
        for account_type in types:
            Criterion.objects.get_or_create(
                account_type=account_type,
                code=code,
                defaults={
                    "label": label,
                    "help_text": help_text,
                    "weight": weight,
                    "dimension": dimension,
                    "order": order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(add_default_criteria, migrations.RunPython.noop)]
