"""Permission names each operator action needs, shared by the JSON API and the dashboard.

The viewer, operator and admin groups hold them (scheduler_core migration 0003_roles).
"""

VIEW = "scheduler_core.view_taskrecord"
SUBMIT = "scheduler_core.submit_task"
CANCEL = "scheduler_core.cancel_task"
RETRY = "scheduler_core.retry_task"
RUN_NOW = "scheduler_core.run_task_now"
DELETE = "scheduler_core.delete_task"
VIEW_WORKERS = "scheduler_core.view_workerrecord"
PAUSE_QUEUE = "scheduler_core.pause_queue"
# Quieting and stopping a worker is an operator's, like pausing a queue: the same permission.
CONTROL_WORKER = PAUSE_QUEUE
MANAGE_SCHEDULES = "scheduler_core.manage_schedules"
VIEW_AUDIT = "scheduler_core.view_auditentry"
# Alerts: operators shape rules, acknowledge and silence; only admins set where they go.
MANAGE_ALERTS = "scheduler_core.manage_alerts"
MANAGE_ALERT_CHANNELS = "scheduler_core.manage_alert_channels"
