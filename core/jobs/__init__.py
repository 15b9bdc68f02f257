"""Scheduled jobs: recurring work (retention, digests, reminders) that features and plug-ins
register with the ``scheduled_jobs`` hook and ``campagne worker`` runs, once per due time
whatever the number of workers (docs/decisions/0023-scheduled-jobs.md)."""
