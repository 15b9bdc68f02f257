"""``campagne import`` and ``campagne export`` as real processes, on SQLite and PostgreSQL:
exit statuses, the report in the user's language, column mapping from the command line, the
audit trail (actor: command line), and an import killed or interrupted mid-way (after rows
were written to its transaction) that leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, func, select

from campagne.auth.models import AuditEvent
from campagne.cli import main
from campagne.instance import Instance
from campagne.models import Member
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit

DATA = Path(__file__).parent / "data"
BIG_ROWS = 20_000


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Iterator[Instance]:
    """The reference regions on an empty database of each backend."""
    built = RegionKit(tmp_path / "regions", database_url).instance(reference_region_paths())
    yield built
    built.engine.dispose()


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
    """Twenty thousand valid member rows (about 1.5 MB)."""
    lines = ["Nom;Prénom;Courriel;Code NAF;Commune;Statut"]
    lines += [f"Nom{n};Prénom{n};personne{n}@example.org;62.01Z;Auch;installé"
              for n in range(BIG_ROWS)]
    path = folder / "gros.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_an_import_stopped_mid_way_leaves_the_database_as_it_was(
        instance: Instance, campagne: Callable[..., Result], tmp_path: Path,
        stop: signal.Signals) -> None:
    assert campagne("import", "members", str(DATA / "members.csv"),
                    "--region", "gers").returncode == 0
    before = members(instance)
    path = big_file(tmp_path)
    env = {**os.environ, "CAMPAGNE_LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [sys.executable, "-m", "campagne.cli", "import", "members", str(path), "--region",
         "gers", "--db", instance.settings.database_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:  # rows are in the transaction, not committed
        if "rows processed" in line and not line.split()[2].startswith(f"{BIG_ROWS}/"):
            break
        assert time.monotonic() < deadline
    else:
        pytest.fail("the import ended before it could be stopped")
    process.send_signal(stop)
    status = process.wait(timeout=60)
    assert status == (-signal.SIGKILL if stop is signal.SIGKILL else 130)
    assert members(instance) == before
    with Session(instance.engine) as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == 5
    assert len(events(instance, "import")) == 1


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
