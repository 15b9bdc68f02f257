"""What stops a backup or a restore, with the exit status the command returns."""

from __future__ import annotations


class BackupError(Exception):
    """The work failed (a tool missing or failing, a check after the restore): exit 1."""

    exit_status = 1


class Refused(BackupError):
    """The command refuses to act (damaged archive, other database kind or schema revision,
    data that ``--yes`` must allow to replace, conflicting key): exit 2, nothing changed."""

    exit_status = 2
