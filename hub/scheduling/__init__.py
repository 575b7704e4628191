"""Harvest scheduling: per-repository schedules (intervals or cron lines), the scheduler tick that
queues due repositories, the in-process scheduler thread and the Celery beat schedule."""
