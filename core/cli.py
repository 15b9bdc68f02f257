"""The ``campagne`` command: demo, serve, check, db upgrade and downgrade, users, purge."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from campagne import __version__, cli_hub
from campagne.auth.secret import InsecureSettings
from campagne.cli_plugins import add_plugin_commands
from campagne.db import make_engine, upgrade
from campagne.demo import generate_region_demo
from campagne.errors import ConfigError, ConfigInvalid
from campagne.instance import Instance, load_instance
from campagne.models import Region
from campagne.observability.logs import configure_logging
from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_migrations import UnknownPlugin, downgrade_plugin, upgrade_all
from campagne.regions import read_region_folders, reference_region_paths
from campagne.schema_state import SchemaMismatch, schema_state
from campagne.settings import CampagneSettings
from campagne.sync import sync_instance
from campagne.worker import start_in_background

EXIT_INVALID = 2
DEMO_DATABASE = "sqlite:///campagne-demo.db"
log = logging.getLogger("campagne")


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="campagne", description=(
        "Serve rural telework programmes: one or more region folders, their plug-ins, "
        "an API and pages."))
    parser.add_argument("--version", action="version", version=f"campagne {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="serve the reference regions with demo data (SQLite)")
    demo.add_argument("--region", action="append", metavar="SLUG",
                      help="serve only this reference region (repeatable)")
    demo.add_argument("--db", default=DEMO_DATABASE, help=f"database URL ({DEMO_DATABASE})")
    _add_server_options(demo)

    serve = commands.add_parser("serve", help="serve real region folders")
    serve.add_argument("region_dirs", nargs="+", type=Path, metavar="REGION_DIR")
    serve.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    _add_server_options(serve)

    check = commands.add_parser("check", help="validate region folders and their plug-ins")
    check.add_argument("region_dirs", nargs="+", type=Path, metavar="REGION_DIR")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="also print the traceback of a plug-in that fails to import")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser("upgrade", help="apply the schema migrations")
    db_upgrade.add_argument("--db", default=None, help="database URL (else CAMPAGNE_DATABASE_URL)")
    db_upgrade.add_argument("--check", action="store_true",
                            help="change nothing: exit 0 when the schema is current, 1 when "
                                 "migrations are pending or the schema is unknown")
    db_upgrade.add_argument("region_dirs", nargs="*", type=Path, metavar="REGION_DIR",
                            help="also copy these regions' configuration into the database "
                                 "(what serve does at start-up; needed before starting workers "
                                 "with uvicorn --factory campagne.app:create_app_from_env)")
    db_downgrade = db_commands.add_parser(
        "downgrade", help="take one plug-in's tables back (all of them by default)")
    db_downgrade.add_argument("plugin", metavar="PLUGIN",
                              help="the plug-in's name, as /api/v1/plugins lists it")
    db_downgrade.add_argument("region_dirs", nargs="*", type=Path, metavar="REGION_DIR",
                              help="the region folders that load it (else CAMPAGNE_REGION_DIRS)")
    db_downgrade.add_argument("--to", default="base", metavar="REVISION",
                              help="the revision to go back to (base: drop its tables)")
    db_downgrade.add_argument("--db", default=None,
                              help="database URL (else CAMPAGNE_DATABASE_URL)")
    cli_hub.add_parsers(commands)
    runners = add_plugin_commands(commands, set(commands.choices),
                                  load_entry_points=_load_entry_points())
    parser.set_defaults(plugin_commands=runners)
    return parser


def _load_entry_points() -> bool:
    """Whether installed packages may add commands (``CAMPAGNE_LOAD_ENTRY_POINTS``)."""
    try:
        return CampagneSettings().load_entry_points
    except ValidationError:
        return False  # the settings' error is reported when a command reads them


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status (never raises for user errors)."""
    args = build_parser().parse_args(argv)
    try:
        configure_logging(CampagneSettings())
    except ValidationError:
        configure_logging(CampagneSettings.model_construct())  # reported below, by name
    try:
        if args.command == "check":
            return command_check(args.region_dirs, verbose=args.verbose)
        if args.command == "db" and args.db_command == "downgrade":
            return command_downgrade(args)
        if args.command == "db" and args.check:
            return command_upgrade_check(args)
        if args.command == "db":
            settings = _settings(args.db)
            refuse_unknown_schema(make_engine(settings.database_url))
            if args.region_dirs:
                prepare(settings, args.region_dirs, with_demo_data=False)
            else:
                upgrade(make_engine(settings.database_url))
            print(f"Database is up to date: {_safe_url(settings.database_url)}")
            return 0
        if args.command == "demo":
            return command_demo(args)
        if args.command == "hub":
            return cli_hub.run(args)
        if args.command in args.plugin_commands:
            return int(args.plugin_commands[args.command].run(args))
        return command_serve(args)
    except ConfigInvalid as exc:
        _print_errors(exc.errors)
        return EXIT_INVALID
    except (InsecureSettings, SchemaMismatch) as exc:
        print(f"campagne: refusing to start: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ValidationError as exc:
        for error in exc.errors():
            name = "CAMPAGNE_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"campagne: {name}: {error['msg']}", file=sys.stderr)
        return EXIT_INVALID
    except SQLAlchemyError as exc:
        print(f"campagne: database error: {exc.__class__.__name__}: {_first_line(exc)}",
              file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"campagne: {exc}", file=sys.stderr)
        return 1
    except UnknownPlugin as exc:
        print(f"campagne: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


def command_upgrade_check(args: argparse.Namespace) -> int:
    """``campagne db upgrade --check``: say where the schema stands; change nothing."""
    settings = _settings(args.db)
    engine = make_engine(settings.database_url)
    plugins = load_instance(settings, args.region_dirs).plugins if args.region_dirs else None
    try:
        state = schema_state(engine, plugins)
    finally:
        engine.dispose()
    print(f"{_safe_url(settings.database_url)}: {state.describe()}")
    return 0 if state.is_current else 1


def refuse_unknown_schema(engine: Engine) -> None:
    """Stop with a message when the database was migrated by a newer release."""
    state = schema_state(engine)
    if not state.known:
        raise SchemaMismatch(state.describe())


def command_check(paths: list[Path], *, verbose: bool = False) -> int:
    """Print every problem as ``file:line:col: message``; exit 0 when there is none.

    The plug-ins of the valid folders are checked even when another folder is not
    valid, so that one run reports every problem. Installed plug-in packages are
    checked unless ``CAMPAGNE_LOAD_ENTRY_POINTS`` is false, as when serving (their
    settings are checked then too). With ``verbose``, the traceback of a plug-in that
    failed to import follows its line.
    """
    folders, errors = read_region_folders(paths)
    try:
        build_plugin_manager(folders, load_entry_points=CampagneSettings().load_entry_points)
    except ConfigInvalid as exc:
        errors.extend(exc.errors)
    if errors:
        _print_errors(errors, verbose=verbose)
        return EXIT_INVALID
    print(f"{len(paths)} region folder(s) valid.")
    return 0


def command_downgrade(args: argparse.Namespace) -> int:
    """Take one plug-in's tables back to ``--to`` (its other data and the engine's stay)."""
    settings = _settings(args.db)
    instance = load_instance(settings, args.region_dirs or None)
    try:
        downgrade_plugin(instance.engine, instance.plugins, args.plugin, args.to)
    finally:
        instance.engine.dispose()
    print(f"Plug-in {args.plugin} is at {args.to}: {_safe_url(settings.database_url)}")
    return 0


def command_demo(args: argparse.Namespace) -> int:
    """Serve the reference regions with generated members."""
    paths = reference_region_paths()
    if args.region:
        unknown = sorted(set(args.region) - {path.name for path in paths})
        if unknown:
            known = ", ".join(path.name for path in paths)
            print(f"campagne: unknown reference region(s) {', '.join(unknown)}; known: {known}",
                  file=sys.stderr)
            return EXIT_INVALID
        paths = [path for path in paths if path.name in args.region]
    settings = demo_settings(_settings(args.db))
    if settings.production:
        raise InsecureSettings("the demo serves generated data and cannot run in production")
    instance = prepare(settings, paths, with_demo_data=True)
    print("Demo data is synthetic (generated, fixed seed); no real person is shown.")
    print("To sign in, create an account from this folder, for example: "
          "campagne users create you@example.org --role staff --region gers --password-stdin")
    print("E-mails are sent and scheduled jobs run from this process (not the nightly purge, "
          "which would anonymise demo people); administrators read the e-mails at "
          "/admin/outbox and the jobs at /admin/jobs.")
    thread, stop = start_in_background(instance)
    try:
        return run_server(instance, args.host, args.port)
    finally:
        stop.set()
        thread.join(timeout=settings.outbox_interval_seconds + 15)


#: The demo keeps its generated people as they are: some are past their retention period, so
#: that ``campagne purge --dry-run`` has something to show; the nightly job would anonymise
#: them at the first start. CAMPAGNE_JOB_SCHEDULES still decides when it names the job.
DEMO_JOBS_OFF = {"campagne.platform.purge": "off"}


def demo_settings(settings: CampagneSettings) -> CampagneSettings:
    """The demo's settings: the nightly purge off unless the operator scheduled it."""
    schedules = {**DEMO_JOBS_OFF, **settings.job_schedules}
    return settings.model_copy(update={"job_schedules": schedules})


def command_serve(args: argparse.Namespace) -> int:
    """Serve the given region folders."""
    instance = prepare(_settings(args.db), args.region_dirs, with_demo_data=False)
    return run_server(instance, args.host, args.port)


def prepare(settings: CampagneSettings, paths: list[Path], *, with_demo_data: bool) -> Instance:
    """Load the regions, migrate the database, copy the configuration into it."""
    instance = load_instance(settings, paths)
    refuse_unknown_schema(instance.engine)
    upgrade_all(instance.engine, instance.plugins)
    with Session(instance.engine) as session:
        sync_instance(instance, session)
        session.commit()
        if with_demo_data:
            for slug in instance.regions:
                region = session.exec(select(Region).where(Region.slug == slug)).one()
                created = generate_region_demo(instance, session, region)
                if created:
                    log.info("generated %d demo members for %s", created, slug)
            session.commit()
    return instance


def run_server(instance: Instance, host: str, port: int) -> int:
    """Serve the instance with uvicorn until interrupted."""
    import uvicorn

    from campagne.app import create_app

    print(f"Serving {', '.join(sorted(instance.regions))} on http://{host}:{port}/")
    # Logging stays as configure_logging set it (JSON in production); the instance writes
    # its own access lines, with the request id.
    uvicorn.run(create_app(instance), host=host, port=port, log_level="info", log_config=None,
                access_log=False, proxy_headers=True, server_header=False)
    return 0


def _settings(database_url: str | None) -> CampagneSettings:
    settings = CampagneSettings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _print_errors(errors: list[ConfigError], *, verbose: bool = False) -> None:
    for error in errors:
        print(error, file=sys.stderr)
        if verbose and error.traceback:
            print(textwrap.indent(error.traceback.rstrip("\n"), "    "), file=sys.stderr)
    print(f"campagne: {len(errors)} error(s) found.", file=sys.stderr)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


if __name__ == "__main__":
    sys.exit(main())
