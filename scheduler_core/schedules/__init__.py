"""Schedules' adapters: the CronCalendar port on croniter, and schedules declared in settings."""
