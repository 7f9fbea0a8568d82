"""The starting topics and their answer periods. [M] The periods are defaults chosen for the platform,
not periods fixed by law: the data controller edits them (Django admin or the inbox topics data)."""

from django.db import migrations

TOPICS = [
    # code, name, agency kind, level, days
    ("general", "Chung, khác", "commune_committee", "commune", 15),
    ("land", "Đất đai, xây dựng, môi trường", "commune_committee", "commune", 30),
    ("social", "Chính sách xã hội, người có công, bảo trợ", "commune_committee", "commune", 15),
    ("health", "Y tế, dịch bệnh", "commune_committee", "commune", 10),
    ("education", "Giáo dục", "commune_committee", "commune", 15),
    ("infrastructure", "Điện, đường, nước sạch, hạ tầng", "commune_committee", "commune", 15),
    ("broadcast", "Loa truyền thanh, bản tin, thông tin cơ sở", "commune_committee", "commune", 10),
    ("province", "Thủ tục và dịch vụ cấp tỉnh", "provincial_committee", "province", 30),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("inbox", "Topic")
    for position, (code, name, kind, level, days) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            code=code,
            defaults={"name": name, "agency_kind": kind, "agency_level": level, "due_days": days, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
