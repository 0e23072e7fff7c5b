"""Seed version 1 of the ARMS factor catalogue (7 risk and 5 protective factors)."""

from django.db import migrations


def seed(apps, schema_editor):
    from arms import catalogue_v1

    catalogue_v1.install(apps.get_model("arms", "FactorCatalogue"), apps.get_model("arms", "Factor"))


def unseed(apps, schema_editor):
    apps.get_model("arms", "Factor").objects.filter(catalogue__version=1).delete()
    apps.get_model("arms", "FactorCatalogue").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("arms", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
