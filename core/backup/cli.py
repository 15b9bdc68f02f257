"""``campagne backup FILE`` and ``campagne restore FILE``."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from campagne.backup.errors import BackupError
from campagne.backup.run import make_backup, restore_backup
from campagne.settings import settings_for

KEY_WARNING = ("campagne: this archive holds the instance's secret key: keep it as you keep "
               "the key (private, encrypted storage), never beside the data it protects")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backup`` and ``restore`` to the command-line grammar."""
    backup = commands.add_parser(
        "backup", help="write the database and the secret key to one archive (.tar.gz)")
    backup.add_argument("file", type=Path, metavar="FILE", help="the archive to write")
    backup.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    restore = commands.add_parser(
        "restore", help="replace the database with an archive's, after checking it whole")
    restore.add_argument("file", type=Path, metavar="FILE", help="the archive to read")
    restore.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    restore.add_argument("--yes", action="store_true",
                         help="replace a database that holds data")
    restore.add_argument("--with-key", action="store_true",
                         help="also write the archive's secret key to the key file")


def run(args: argparse.Namespace) -> int:
    """Run ``backup`` or ``restore``; report a refusal or a failure in one line."""
    try:
        if args.command == "backup":
            return _backup(args)
        return _restore(args)
    except BackupError as exc:
        print(f"campagne {args.command}: {exc}", file=sys.stderr)
        return exc.exit_status
    except sqlite3.Error as exc:
        print(f"campagne {args.command}: database error: {exc}", file=sys.stderr)
        return 1


def _backup(args: argparse.Namespace) -> int:
    manifest = make_backup(settings_for(args.db), args.file)
    rows = sum(manifest.tables.values())
    print(f"Backup written to {args.file}: {manifest.database} database at revision "
          f"{manifest.revision}, {len(manifest.tables)} tables, {rows} rows.")
    print(KEY_WARNING, file=sys.stderr)
    return 0


def _restore(args: argparse.Namespace) -> int:
    restored = restore_backup(settings_for(args.db), args.file, replace=args.yes,
                              with_key=args.with_key)
    manifest = restored.manifest
    print(f"Restored {args.file} (made {manifest.created} by Campagne "
          f"{manifest.campagne_version}): revision {manifest.revision}, "
          f"{sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, checked.")
    if restored.key_written:
        print(f"The archive's secret key was written to {restored.key_written}.")
    elif restored.key_differs:
        print("The instance's secret key is not the archive's: sessions, tokens and e-mailed "
              "links made before the backup will not be accepted (run restore with "
              "--with-key to put the archive's key back).")
    if manifest.plugins:
        print("Plug-ins' tables were restored too: check them with "
              "campagne db upgrade --check REGION_DIR...")
    return 0
