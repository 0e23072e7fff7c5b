"""Seed version 1 of the ARMS factor catalogue (7 risk and 5 protective factors)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from arms import catalogue_v1

    FactorCatalogue = apps.get_model("arms", "FactorCatalogue")
    Factor = apps.get_model("arms", "Factor")
    catalogue, _ = FactorCatalogue.objects.get_or_create(
        version=catalogue_v1.VERSION,
        defaults={
            "published_on": datetime.date.fromisoformat(catalogue_v1.PUBLISHED_ON),
            "notes": "The seven risk and five protective factors of ARMS as used by forces in England and Wales.",
        },
    )
    positions = {"RISK": 0, "PROTECTIVE": 0}
    for code, kind, name, guidance in catalogue_v1.FACTORS:
        positions[kind] += 1
        Factor.objects.update_or_create(
            catalogue=catalogue,
            code=code,
            defaults={"kind": kind, "name": name, "guidance": guidance, "position": positions[kind]},
        )


def unseed(apps, schema_editor):
    apps.get_model("arms", "Factor").objects.filter(catalogue__version=1).delete()
    apps.get_model("arms", "FactorCatalogue").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("arms", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
