"""``campagne users`` and ``campagne purge``: accounts and retention from the command line.

Without ``--db`` and ``CAMPAGNE_DATABASE_URL``, a ``campagne-demo.db`` in the current folder
is used, so the commands act on the database of ``campagne demo`` run from there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session, col, select

from campagne.auth import audit, tokens
from campagne.auth.accounts import (
    AccountError,
    change_access,
    create_account,
    deactivate,
    find_account,
    reactivate,
    rename,
    set_password,
)
from campagne.auth.models import CredentialKind, Role, UserAccount
from campagne.db import make_engine, upgrade
from campagne.i18n import SUPPORTED, translations
from campagne.i18n_markers import N_
from campagne.instance import Instance, load_instance
from campagne.mail import link_url
from campagne.outbox.queue import queue_mail
from campagne.plugin_migrations import upgrade_all
from campagne.purge_run import purge_all
from campagne.settings import CampagneSettings, settings_for


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``users`` and ``purge`` to the command-line grammar."""
    users = commands.add_parser("users", help="create and manage accounts")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account")
    create.add_argument("email")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--region", action="append", default=[], metavar="SLUG",
                        help="region a staff account works on (repeatable)")
    create.add_argument("--read-only", action="store_true", help="staff who may only read")
    create.add_argument("--member", type=int, metavar="ID", help="member record (members)")
    create.add_argument("--name", default=None,
                        help="the name staff pages show for the account (an adviser's)")
    how = create.add_mutually_exclusive_group(required=True)
    how.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input")
    how.add_argument("--invite", action="store_true",
                     help="print an invitation link (and e-mail it with --send)")
    create.add_argument("--send", action="store_true", help="e-mail the invitation (SMTP)")
    create.add_argument("--lang", choices=SUPPORTED, default="fr",
                        help="the language of the invitation e-mail (fr)")
    password = actions.add_parser("set-password", help="change a password (standard input)")
    password.add_argument("email")
    off = actions.add_parser("deactivate", help="block an account and end its sessions")
    off.add_argument("email")
    on = actions.add_parser("reactivate", help="unblock an account")
    on.add_argument("email")
    access = actions.add_parser(
        "set-access", help="change the role, regions or read-only flag of staff and admins")
    access.add_argument("email")
    access.add_argument("--role", choices=[Role.STAFF.value, Role.ADMIN.value])
    access.add_argument("--region", action="append", default=None, metavar="SLUG",
                        help="the regions a staff account works on, all of them (repeatable)")
    writable = access.add_mutually_exclusive_group()
    writable.add_argument("--read-only", dest="read_only", action="store_true", default=None,
                          help="may only read")
    writable.add_argument("--writer", dest="read_only", action="store_false",
                          help="may read and change")
    named = actions.add_parser("set-name", help="change the name staff pages show")
    named.add_argument("email")
    named.add_argument("name", help="the name; an empty one shows the e-mail address")
    actions.add_parser("list", help="list the accounts")
    for parser in (create, password, off, on, access, named, actions.choices["list"]):
        parser.add_argument("--db", default=None, help="database URL")

    purge_parser = commands.add_parser("purge", help="anonymise records past their retention")
    purge_parser.add_argument("--dry-run", action="store_true", help="only list what would go")
    purge_parser.add_argument("--db", default=None, help="database URL")
    purge_parser.add_argument(
        "region_dirs", nargs="*", type=Path, metavar="REGION_DIR",
        help="the region folders served (else CAMPAGNE_REGION_DIRS): their features and "
             "plug-ins purge and erase the personal data they keep")


def run(args: argparse.Namespace) -> int:
    """Run ``users ...`` or ``purge``; return the exit status."""
    settings = settings_for(args.db)
    if args.command == "purge":
        if not (args.region_dirs or settings.region_dirs):
            print("campagne: purge needs the region folders served (arguments or "
                  "CAMPAGNE_REGION_DIRS): each feature and plug-in erases what it holds",
                  file=sys.stderr)
            return 2
        instance = load_instance(settings, args.region_dirs or None)
        upgrade_all(instance.engine, instance.plugins)
        try:
            with Session(instance.engine) as session:
                return _purge(session, instance, args.dry_run)
        finally:
            instance.engine.dispose()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with Session(engine) as session:
            return _users(session, settings, args)
    except AccountError as exc:
        print(f"campagne: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _read_password() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _users(session: Session, settings: CampagneSettings, args: argparse.Namespace) -> int:
    if args.users_command == "list":
        for listed in session.exec(select(UserAccount).order_by(col(UserAccount.email))):
            state = "active" if listed.active else "blocked"
            role = listed.role + (" (read-only)" if listed.read_only else "")
            name = f"\t{listed.display_name}" if listed.display_name else ""
            print(f"{listed.email}\t{role}\t{state}{name}")
        return 0
    if args.users_command == "create":
        return _create(session, settings, args)
    user = find_account(session, args.email)
    if user is None:
        raise AccountError(f"no account for {args.email}")
    if args.users_command == "set-password":
        set_password(session, settings, user, _read_password())
        print(f"Password changed for {user.email}; its sessions were ended.")
    elif args.users_command == "set-access":
        return _set_access(session, user, args)
    elif args.users_command == "set-name":
        if rename(session, user, args.name):
            audit.record(session, None, "account_renamed", target=f"user:{user.id}",
                         address="command line")
            session.commit()
        print(f"{user.email} is shown as {user.shown_name}.")
    elif args.users_command == "reactivate":
        reactivate(session, user)
        audit.record(session, None, "account_reactivated", target=f"user:{user.id}",
                     address="command line")
        session.commit()
        print(f"{user.email} is active again.")
    else:
        deactivate(session, user)
        print(f"{user.email} is blocked; its sessions were ended.")
    return 0


def _set_access(session: Session, user: UserAccount, args: argparse.Namespace) -> int:
    changed = change_access(session, user, role=Role(args.role) if args.role else None,
                            regions=args.region, read_only=args.read_only)
    if not changed:
        print(f"Nothing to change for {user.email}.")
        return 0
    audit.record(session, None, "account_access_changed", target=f"user:{user.id}",
                 address="command line", changes=changed)
    session.commit()
    print(f"{user.email}: {'; '.join(changed)}; its sessions were ended.")
    return 0


def _create(session: Session, settings: CampagneSettings, args: argparse.Namespace) -> int:
    password = _read_password() if args.password_stdin else None
    user = create_account(session, settings, email=args.email, role=Role(args.role),
                          regions=args.region, read_only=args.read_only,
                          member_id=args.member, password=password, name=args.name)
    session.commit()
    print(f"Created {args.role} account {user.email}.")
    if args.invite:
        issued = tokens.issue(session, settings, user, CredentialKind.INVITE)
        url = link_url(settings, issued.secret)
        if args.send:
            text = translations(args.lang).gettext
            queue_mail(session, settings, kind="invitation", to=user.email,
                       subject=text(N_("Campagne: your invitation")),
                       body=text(N_("An account was opened for you. Choose your password "
                                    "here (the link is valid %(hours)s hours):")) % {
                           "hours": settings.link_hours} + f"\n\n{url}\n")
        session.commit()
        if args.send:
            print(f"Invitation queued for {user.email}; campagne worker sends it.")
        else:
            print(f"Invitation link (valid {settings.link_hours} hours): {url}")
    return 0


def _purge(session: Session, instance: Instance, dry_run: bool) -> int:
    for line in purge_all(session, instance, dry_run=dry_run).lines:
        print(line)
    return 0
