# The failures page reads the errors of a recent window (issue 17, point 2).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scheduler_core', '0014_exact_json_and_audit_sources'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='taskerrorrecord',
            index=models.Index(fields=['failed_at'], name='sched_error_failed_idx'),
        ),
    ]
