"""The three operator roles as Django groups: viewer, operator and admin."""

from typing import Any

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

VIEW = [
    "scheduler_core.view_taskrecord",
    "scheduler_core.view_taskerrorrecord",
    "scheduler_core.view_taskevent",
    "scheduler_core.view_workerrecord",
    "scheduler_core.view_auditentry",
]
OPERATE = [
    "scheduler_core.submit_task",
    "scheduler_core.cancel_task",
    "scheduler_core.retry_task",
    "scheduler_core.run_task_now",
    "scheduler_core.pause_queue",
]
ADMINISTER = [
    "scheduler_core.delete_task",
    "scheduler_core.manage_schedules",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
]
ROLES = {
    "viewer": VIEW,
    "operator": VIEW + OPERATE,
    "admin": VIEW + OPERATE + ADMINISTER,
}


def create_roles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after every migration ran; the groups need them now.
    for config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which migration states lack.
        models_module = getattr(config, "models_module", None)
        config.models_module = models_module or True  # type: ignore[assignment]
        create_permissions(config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        config.models_module = models_module
    group_model: Any = apps.get_model("auth", "Group")
    permission_model: Any = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for name, codes in ROLES.items():
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                permission_model.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_roles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    group_model: Any = apps.get_model("auth", "Group")
    group_model.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("scheduler_core", "0002_audit_and_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
