import django.db.models.deletion
from django.db import migrations, models


def publish_approved(apps, schema_editor):
    """Approved translations were public by their status: they keep their text online through their
    latest version (one is written if they have none)."""
    ContentVariant = apps.get_model("content", "ContentVariant")
    ContentVersion = apps.get_model("content", "ContentVersion")
    for variant in ContentVariant.objects.filter(is_source=False, status="reviewed"):
        version = ContentVersion.objects.filter(variant=variant).order_by("-number").first()
        if version is None:
            version = ContentVersion.objects.create(
                variant=variant, number=1, title=variant.title, summary=variant.summary, body=variant.body
            )
        variant.published = version
        variant.save(update_fields=["published"])


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_unit_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="contentvariant",
            name="published",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="content.contentversion",
            ),
        ),
        migrations.RunPython(publish_approved, migrations.RunPython.noop),
    ]
