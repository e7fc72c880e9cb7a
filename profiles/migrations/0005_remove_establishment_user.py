from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_memberships_from_accounts")]

    operations = [migrations.RemoveField(model_name="establishment", name="user")]
