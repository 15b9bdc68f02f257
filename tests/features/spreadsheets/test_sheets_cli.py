"""``campagne import`` and ``campagne export`` as real processes, on SQLite and PostgreSQL:
exit statuses, the report in the user's language, column mapping from the command line, the
audit trail (actor: command line), an import killed or interrupted mid-way (after rows
were written to its transaction) that leaves the database exactly as it was, two imports at
once that write the rows once, and exports that replace a file owner-only."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sheets_kit import DATA
from sqlmodel import Session, col, func, select

from campagne.auth.models import AuditEvent
from campagne.cli import main
from campagne.features.spreadsheets import import_lock
from campagne.features.spreadsheets.importer import BATCH, region_by_slug
from campagne.instance import Instance
from campagne.models import Member

BIG_ROWS = BATCH + 1_000


@dataclass
class Result:
    """What a command did."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def campagne(instance: Instance, capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``campagne ...`` on the instance's database, in this process (the same ``main``
    as the console script; one test below runs it as a real process)."""

    def run(*args: str, lang: str = "fr_FR.UTF-8") -> Result:
        monkeypatch.setenv("LANG", lang)
        monkeypatch.delenv("LC_ALL", raising=False)
        capsys.readouterr()
        try:
            status = main([*args, "--db", instance.settings.database_url])
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return run


def members(instance: Instance) -> list[dict[str, object]]:
    """Every member, every column."""
    with Session(instance.engine) as session:
        return [m.model_dump() for m in session.exec(select(Member).order_by(col(Member.id)))]


def events(instance: Instance, action: str) -> list[AuditEvent]:
    """The audit events of ``action``."""
    with Session(instance.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_import_reports_and_exits_as_documented(instance: Instance,
                                                campagne: Callable[..., Result]) -> None:
    bad = campagne("import", "members", str(DATA / "members_bad.csv"),
                   "--region", "gers")
    assert bad.returncode == 1, bad.stderr
    assert "Ligne 5, colonne «\u00a0SIRET\u00a0»" in bad.stdout
    assert "1 ligne refusée\u00a0: rien n’a été importé." in bad.stdout
    assert members(instance) == [] and events(instance, "import") == []

    good = campagne("import", "members", str(DATA / "members.csv"), "--region", "gers")
    assert good.returncode == 0, good.stderr
    assert "5 lignes lues\u00a0: 5 créées, 0 mises à jour, 0 inchangées." in good.stdout
    imported = members(instance)
    again = campagne("import", "members", str(DATA / "members.csv"),
                     "--region", "gers", lang="en_GB.UTF-8")
    assert again.returncode == 0
    assert "5 rows read: 0 created, 0 updated, 5 unchanged." in again.stdout
    assert members(instance) == imported

    dry = campagne("import", "members", str(DATA / "members.xlsx"), "--region", "gers",
                   "--sheet", "Membres", "--dry-run", "--lang", "en")
    assert dry.returncode == 0 and "Dry run, nothing written. 3 rows read: 3 created" in dry.stdout
    assert members(instance) == imported

    audited = events(instance, "import")
    assert [(e.actor_email, e.actor_id, e.region_slug, e.target) for e in audited] == [
        ("command line", None, "gers", "members")] * 2
    assert audited[0].detail["created"] == 5 and audited[1].detail["unchanged"] == 5
    assert audited[0].detail["file"] == "members.csv" and audited[0].detail["system_user"]


def test_import_follows_the_instances_limits(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_SHEET_MAX_ROWS", "4")
    rows = campagne("import", "members", str(DATA / "members.csv"), "--region", "gers")
    assert rows.returncode == 1
    assert ("Le fichier a plus de 4 lignes\u00a0: découpez-le en fichiers plus petits."
            in rows.stderr)
    assert "La limite est fixée par CAMPAGNE_SHEET_MAX_ROWS" in rows.stderr
    monkeypatch.setenv("CAMPAGNE_SHEET_MAX_ROWS", "5")
    monkeypatch.setenv("CAMPAGNE_MAX_UPLOAD_BYTES", str(1024 * 1024))
    large = tmp_path / "membres.csv"
    large.write_bytes((DATA / "members.csv").read_bytes().ljust(1024 * 1024 + 1, b"\n"))
    size = campagne("import", "members", str(large), "--region", "gers", lang="en_GB.UTF-8")
    assert size.returncode == 1
    assert "The file is larger than 1 MB: split it into smaller files." in size.stderr
    assert "The limit is set by CAMPAGNE_MAX_UPLOAD_BYTES" in size.stderr
    assert members(instance) == [] and events(instance, "import") == []
    five = campagne("import", "members", str(DATA / "members.csv"), "--region", "gers")
    assert five.returncode == 0 and len(members(instance)) == 5


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "nowhere"], "région inconnue"),
    (["--region", "gers", "--map", "Nom"], "--map attend COLONNE=CHAMP"),
    (["--region", "gers", "--map", "Nom=surname"], "champ inconnu"),
    (["--region", "gers", "--map-file", "/nonexistent/mapping.txt"], "mapping.txt"),
    (["--region", "gers", "--map", "Absent=last_name"], "pas de colonne"),
    ([], "the following arguments are required: --region"),
])
def test_usage_errors_exit_2(instance: Instance, campagne: Callable[..., Result],
                            args: list[str], message: str) -> None:
    result = campagne("import", "members", str(DATA / "members.csv"), *args)
    assert result.returncode == 2 and message in result.stderr
    assert members(instance) == []


def test_a_missing_or_unreadable_file(campagne: Callable[..., Result], tmp_path: Path) -> None:
    missing = campagne("import", "members", str(tmp_path / "absent.csv"),
                       "--region", "gers")
    assert missing.returncode == 2
    utf16 = tmp_path / "membres.csv"
    utf16.write_bytes((DATA / "members.csv").read_bytes().decode("utf-8-sig").encode("utf-16"))
    refused = campagne("import", "members", str(utf16), "--region", "gers")
    assert refused.returncode == 1 and "UTF-16" in refused.stderr


def test_columns_mapped_on_the_command_line_or_in_a_file(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path) -> None:
    sheet = tmp_path / "export-crm.csv"
    sheet.write_text("Family,Given,Mail,Activity\nLacoste,Amélie,amelie@example.org,62.01Z\n",
                     encoding="utf-8")
    unmapped = campagne("import", "members", str(sheet), "--region", "gers",
                        "--lang", "en")
    assert unmapped.returncode == 1
    assert "No column is mapped to the required field Last name (last_name)." in unmapped.stderr
    mapped = campagne("import", "members", str(sheet), "--region", "gers",
                      "--map", "Family=last_name", "--map", "given=first_name",
                      "--map", "Mail=email", "--map", "Activity=naf_code", "--dry-run")
    assert mapped.returncode == 0, mapped.stdout + mapped.stderr
    assert "Family -> last_name" in mapped.stdout
    mapping_file = tmp_path / "mapping.txt"
    mapping_file.write_text("# CRM export\nFamily=last_name\nGiven=first_name\n\n"
                            "Mail = email\nActivity=naf_code\n", encoding="utf-8")
    from_file = campagne("import", "members", str(sheet), "--region", "gers",
                         "--map-file", str(mapping_file))
    assert from_file.returncode == 0, from_file.stderr
    assert [(m["last_name"], m["sector_slug"]) for m in members(instance)] == [
        ("Lacoste", "it_internet_ecommerce")]


def test_export_writes_the_filtered_list_for_its_owner_only(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path) -> None:
    assert campagne("import", "members", str(DATA / "members.csv"),
                    "--region", "gers").returncode == 0
    output = tmp_path / "installes.xlsx"
    result = campagne("export", "members", "--region", "gers", "--format", "xlsx",
                      "--status", "settled", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "3 fiches exportées" in result.stdout
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    rows = list(load_workbook(output, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nom", "Prénom", "Courriel")
    assert sorted(row[0] for row in rows[1:]) == ["Fourcade", "Garros", "Lacoste"]
    audited = events(instance, "export")
    assert [(e.actor_email, e.detail["count"], e.detail["format"]) for e in audited] == [
        ("command line", 3, "xlsx")]
    wrong = campagne("export", "members", "--region", "gers", "--format", "csv",
                     "--status", "gone", "-o", str(tmp_path / "x.csv"))
    assert wrong.returncode == 2


def big_file(folder: Path) -> Path:
    """Valid member rows, more than one batch of them."""
    lines = ["Nom;Prénom;Courriel;Code NAF;Commune;Statut"]
    lines += [f"Nom{n};Prénom{n};personne{n}@example.org;62.01Z;Auch;installé"
              for n in range(BIG_ROWS)]
    path = folder / "gros.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ``campagne import`` as a real process that stops once its first batch of rows is flushed,
# before anything is committed, says so on stderr and goes on when a line arrives on its
# stdin (or ends there, killed or interrupted). SIGINT raises KeyboardInterrupt even when the
# test runner's own SIGINT is ignored (a child would inherit that).
HELD_IMPORT = """
import signal
import sys

import campagne.features.spreadsheets.cli as sheets
from campagne.cli import main

signal.signal(signal.SIGINT, signal.default_int_handler)
held = []


def hold(done, total):
    if not held:
        held.append(done)
        print(f"held: {done}/{total} rows flushed", file=sys.stderr, flush=True)
        sys.stdin.readline()


sheets._log_progress = hold
sys.exit(main(sys.argv[1:]))
"""


def held_import(instance: Instance, path: Path) -> subprocess.Popen[str]:
    """Start ``campagne import members PATH`` held after its first batch (see above)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HELD_IMPORT, "import", "members", str(path), "--region", "gers",
         "--lang", "en", "--db", instance.settings.database_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("held:"):
            return process
    pytest.fail(f"the import ended before its rows were flushed: {process.wait()}")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_an_import_stopped_mid_way_leaves_the_database_as_it_was(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path,
        stop: signal.Signals) -> None:
    assert campagne("import", "members", str(DATA / "members.csv"),
                    "--region", "gers").returncode == 0
    before = members(instance)
    process = held_import(instance, big_file(tmp_path))  # a batch in its transaction
    assert members(instance) == before
    process.send_signal(stop)
    status = process.wait(timeout=120)
    assert status == (-signal.SIGKILL if stop is signal.SIGKILL else 130)
    assert members(instance) == before
    with Session(instance.engine) as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == 5
    assert len(events(instance, "import")) == 1


def test_two_import_commands_at_once_write_the_rows_once(instance: Instance) -> None:
    first = held_import(instance, DATA / "members.csv")  # its 5 rows flushed, not committed
    second = subprocess.Popen(
        [sys.executable, "-m", "campagne.cli", "import", "members", str(DATA / "members.csv"),
         "--region", "gers", "--lang", "en", "--db", instance.settings.database_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert second.stderr is not None and first.stdin is not None
    for line in second.stderr:
        if "waiting for it to end" in line:
            break
    else:
        pytest.fail("the second import did not wait for the first")
    first.stdin.write("go on\n")
    first.stdin.flush()
    done, _ = first.communicate(timeout=120)
    assert first.returncode == 0 and "5 rows read: 5 created" in done
    again, _ = second.communicate(timeout=120)
    assert second.returncode == 0 and "5 rows read: 0 created, 0 updated, 5 unchanged" in again
    assert len(members(instance)) == 5
    assert [e.detail["created"] for e in events(instance, "import")] == [5, 0]


def test_an_import_gives_up_when_another_keeps_the_region(
        instance: Instance, campagne: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_lock, "WAIT_SECONDS", 0.0)
    with Session(instance.engine) as other:  # an import of the Gers that has not ended
        gers = region_by_slug(other, "gers")
        assert gers is not None and gers.id is not None
        import_lock.hold_import_lock(other, gers.id)
        busy = campagne("import", "members", str(DATA / "members.csv"), "--region", "gers",
                        "--lang", "en")
        other.rollback()
    assert busy.returncode == 1
    assert "Another import into this region (or another write) is in progress" in busy.stderr
    assert "nothing was written; import the file again when it has ended" in busy.stderr
    assert members(instance) == [] and events(instance, "import") == []


def test_an_export_replaces_an_existing_file_owner_only(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    output = folder / "existing.csv"
    output.write_text("old content\n", encoding="utf-8")
    os.chmod(output, 0o644)
    result = campagne("export", "members", "--region", "gers", "--format", "csv",
                      "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert output.read_bytes().startswith(b"\xef\xbb\xbfNom;")
    assert [p.name for p in folder.iterdir()] == ["existing.csv"]  # no temporary file left
    missing = campagne("export", "members", "--region", "gers", "--format", "csv",
                       "-o", str(folder / "absent" / "x.csv"))
    assert missing.returncode == 2 and "absent" in missing.stderr


def test_the_console_command_imports_as_a_real_process(instance: Instance) -> None:
    command = [sys.executable, "-m", "campagne.cli", "import", "members",
               str(DATA / "members_bad.csv"), "--region", "gers", "--lang", "en",
               "--db", instance.settings.database_url]
    bad = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 1 and "Line 5, column \"SIRET\"" in bad.stdout
    command[5] = str(DATA / "members.csv")
    good = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 0 and "5 created" in good.stdout
    assert len(members(instance)) == 5
