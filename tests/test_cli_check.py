"""``campagne check``: exit 0 on valid folders; exit 2 and one ``file:line:col: message``
line per problem (never a traceback) otherwise, every problem of every folder at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from campagne.cli import EXIT_INVALID, main
from campagne.regions import reference_region_paths

HOOK = "from campagne import hookimpl\n\n\n"


def reference(name: str) -> Path:
    return next(path for path in reference_region_paths() if path.name == name)


def copy_of(name: str, tmp_path: Path) -> Path:
    """A copy of a reference region folder, free to break."""
    return Path(shutil.copytree(reference(name), tmp_path / name,
                                ignore=shutil.ignore_patterns("__pycache__")))


def edit(file: Path, old: str, new: str) -> str:
    """Replace ``old`` (found exactly once) by ``new`` in ``file``; return the new text."""
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    file.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``text`` containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} not found {occurrence} time(s)"
    return found[occurrence - 1]


def check(capsys: pytest.CaptureFixture[str], *folders: Path) -> tuple[int, list[str]]:
    """Run ``campagne check`` in this process; return its status and its error lines."""
    status = main(["check", *map(str, folders)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if not line.startswith("INFO ")]
    if status == 0:
        assert lines == []
        assert captured.out.strip() == f"{len(folders)} region folder(s) valid."
    else:
        assert lines[-1] == f"campagne: {len(lines) - 1} error(s) found."
        lines = lines[:-1]
    return status, lines


def campagne_command() -> list[str]:
    """The installed ``campagne`` script of this environment (or the module as a fallback)."""
    script = shutil.which("campagne", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "campagne.cli"]


def run_check(*folders: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*campagne_command(), "check", *map(str, folders)],
                          capture_output=True, text=True, timeout=120, check=False)


# -- valid folders ------------------------------------------------------------


def test_the_reference_regions_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, reference("gers"), reference("orne")) == (0, [])


def test_the_reference_regions_pass_in_a_real_process() -> None:
    result = run_check(*reference_region_paths())
    assert result.returncode == 0, result.stderr
    assert "2 region folder(s) valid." in result.stdout
    assert "Traceback" not in result.stderr


def test_an_untouched_copy_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert check(capsys, copy_of("orne", tmp_path)) == (0, [])


# -- broken region.yaml --------------------------------------------------------


def test_a_misspelt_key_fails_with_its_line(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    gers = copy_of("gers", tmp_path)
    text = edit(gers / "region.yaml", "\nprogramme:\n", "\nprograme:\n")
    status, lines = check(capsys, gers)
    assert status == EXIT_INVALID
    assert f"{gers / 'region.yaml'}:{line_of(text, 'programe:')}:1: unknown key 'programe'" in lines


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("  name: Soho Solo Gers\n", "  name: Soho Solo Gers\n  name: Soho Solo bis\n",
     "Soho Solo bis", "duplicate key 'name'"),
    ("code: \"32\"", "code: [3, 2]", "code:", "code: Input should be a valid string"),
    ("  - key: telecentres\n", "  - key: &t telecentres\n  - key: *t\n", "key: *t",
     "aliases (*name) are not allowed"),
    ("  logo: logo.svg\n", "  logo: !!python/object/apply:os.system [echo]\n", "logo:",
     "is not allowed in configuration files"),
    ('  primary_color: "#7a2331"', '  primary_color: "#f0e68c"', "primary_color:",
     "contrast"),
])
def test_a_broken_yaml_fails_with_its_line_and_no_traceback(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        old: str, new: str, needle: str, message: str) -> None:
    gers = copy_of("gers", tmp_path)
    text = edit(gers / "region.yaml", old, new)
    status, lines = check(capsys, gers)
    assert status == EXIT_INVALID
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{gers / 'region.yaml'}:{line_of(text, needle)}:")
    assert message in lines[0]


def test_a_broken_yaml_fails_in_a_real_process(tmp_path: Path) -> None:
    gers = copy_of("gers", tmp_path)
    edit(gers / "region.yaml", "\nprogramme:\n", "\nprograme:\n")
    orne = copy_of("orne", tmp_path)
    # An alias bomb nested far too deep: refused without a RecursionError.
    text = edit(orne / "region.yaml", "\ntheme:\n",
                "\nbomb: &a " + "[" * 3000 + "]" * 3000 + "\nmore: [*a, *a]\ntheme:\n")
    result = run_check(gers, orne)
    assert result.returncode == EXIT_INVALID
    assert "Traceback" not in result.stderr
    assert f"{gers / 'region.yaml'}:" in result.stderr
    assert f"{orne / 'region.yaml'}:{line_of(text, 'bomb:')}:" in result.stderr
    assert "nesting is deeper than" in result.stderr
    assert result.stderr.strip().endswith("error(s) found.")


def test_a_folder_that_does_not_exist_fails(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    status, lines = check(capsys, tmp_path / "cantal")
    assert (status, lines) == (EXIT_INVALID, [f"{tmp_path / 'cantal'}:1:1: not a folder"])


# -- broken plug-ins -------------------------------------------------------------


@pytest.mark.parametrize(("source", "needle", "message"), [
    ("import os\n\nSETTING = os.environ['CAMPAGNE_NO_SUCH_VARIABLE']\n", "SETTING",
     "plug-in failed to import: KeyError"),
    ("def broken(:\n    pass\n", "def broken", "syntax error"),
    (HOOK + "@hookimpl\ndef incentives_for_profil(profile):\n    return []\n", "@hookimpl",
     "'incentives_for_profil' is not a Campagne hook"),
    (HOOK + "@hookimpl\ndef incentives_for_profile(profile, user):\n    return []\n",
     "@hookimpl", "argument(s) user are not passed by this hook"),
    (HOOK + "@hookimpl\ndef register_services(settings=None):\n    return []\n", "@hookimpl",
     "argument(s) settings must not have default values"),
    ("import sys\n\nsys.exit('no')\n", "sys.exit", "plug-in failed to import: SystemExit"),
])
def test_a_broken_region_plugin_fails_with_its_file_and_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        source: str, needle: str, message: str) -> None:
    gers = copy_of("gers", tmp_path)
    plugin = gers / "plugins" / "broken.py"
    plugin.write_text(source, encoding="utf-8")
    status, lines = check(capsys, gers)
    assert status == EXIT_INVALID
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{plugin}:{line_of(source, needle)}:")
    assert message in lines[0]


def test_a_broken_plugin_fails_in_a_real_process(tmp_path: Path) -> None:
    orne = copy_of("orne", tmp_path)
    plugin = orne / "plugins" / "broken.py"
    plugin.write_text("VALUE = 1\nraise RuntimeError('no network here')\n", encoding="utf-8")
    result = run_check(orne)
    assert result.returncode == EXIT_INVALID
    assert "Traceback" not in result.stderr
    assert f"{plugin}:2:1: plug-in failed to import: RuntimeError: no network here" \
        in result.stderr.splitlines()


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    telecentres: 8\n", "    telecentres: eight\n", "telecentres: eight",
     "plugins.free_offices.telecentres: Input should be a valid integer"),
    ("    telecentres: 8\n", "    telecentres: 0\n", "telecentres: 0",
     "plugins.free_offices.telecentres: Input should be greater than or equal to 1"),
    ("    telecentres: 8\n", "", "free_offices:",
     "missing required key 'plugins.free_offices.telecentres'"),
    ("    telecentres: 8\n", "    telecentres: 8\n    telecenters: 9\n", "telecenters:",
     "unknown key 'plugins.free_offices.telecenters'"),
    ("    desk_day_value_illustrative: true\n", "", "free_offices:",
     "desk_day_value_eur needs desk_day_value_source"),
])
def test_plugin_settings_errors_are_placed_under_plugins(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        old: str, new: str, needle: str, message: str) -> None:
    gers = copy_of("gers", tmp_path)
    text = edit(gers / "region.yaml", old, new)
    status, lines = check(capsys, gers)
    assert status == EXIT_INVALID
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{gers / 'region.yaml'}:{line_of(text, needle)}:")
    assert message in lines[0]


def test_settings_for_a_plugin_without_a_settings_model_fail(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    orne = copy_of("orne", tmp_path)
    (orne / "plugins" / "plain.py").write_text(
        HOOK + "@hookimpl\ndef register_services():\n    return []\n", encoding="utf-8")
    text = edit(orne / "region.yaml", "\nplugins:\n", "\nplugins:\n  plain: {level: 2}\n")
    status, lines = check(capsys, orne)
    assert status == EXIT_INVALID
    assert lines == [f"{orne / 'region.yaml'}:{line_of(text, 'plain:')}:3: "
                     "plugins.plain: plug-in 'plain' takes no settings"]


def test_an_unknown_plugin_name_fails_at_its_line(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    orne = copy_of("orne", tmp_path)
    text = edit(orne / "region.yaml", "  business_support: {}\n",
                "  business_support: {}\n  business_suport: {}\n")
    status, lines = check(capsys, orne)
    assert status == EXIT_INVALID
    assert lines == [f"{orne / 'region.yaml'}:{line_of(text, 'business_suport')}:3: "
                     "unknown plug-in 'business_suport': not in the region's plugins/, "
                     "not an installed package, not a shared plug-in"]


def test_disabling_a_package_that_is_not_installed_fails(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    orne = copy_of("orne", tmp_path)
    text = edit(orne / "region.yaml", "\ntheme:\n", "\ndisabled_plugins: [nothing]\ntheme:\n")
    status, lines = check(capsys, orne)
    assert status == EXIT_INVALID
    assert lines == [f"{orne / 'region.yaml'}:{line_of(text, 'disabled_plugins')}:1: "
                     "'nothing' is not an installed plug-in package"]


def test_every_error_of_every_folder_is_reported_in_one_run(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gers = copy_of("gers", tmp_path)
    gers_text = edit(gers / "region.yaml", "\nprogramme:\n", "\nprograme:\n")
    gers_text = edit(gers / "region.yaml", "  - slug: financement\n", "  - slug: coworking\n")
    orne = copy_of("orne", tmp_path)
    orne_text = edit(orne / "region.yaml", "    day_pass_eur: 10\n", "    day_pass_eur: -1\n")
    broken = orne / "plugins" / "broken.py"
    broken.write_text("raise ImportError('missing library')\n", encoding="utf-8")
    misspelt = orne / "plugins" / "misspelt.py"
    misspelt.write_text(HOOK + "@hookimpl\ndef register_service(settings):\n    return []\n",
                        encoding="utf-8")
    status, lines = check(capsys, gers, orne)
    assert status == EXIT_INVALID
    gers_yaml, orne_yaml = gers / "region.yaml", orne / "region.yaml"
    expected = [
        f"{gers_yaml}:{line_of(gers_text, 'programe:')}:1: unknown key 'programe'",
        f"{gers_yaml}:{line_of(gers_text, 'slug: coworking', 2)}:5: services: service slug "
        f"'coworking' is given twice",
        f"{broken}:1:1: plug-in failed to import: ImportError: missing library",
        f"{misspelt}:4:1: 'register_service' is not a Campagne hook",
        f"{orne_yaml}:{line_of(orne_text, 'day_pass_eur')}:5: plugins.coworking_network."
        "day_pass_eur: Input should be greater than or equal to 0",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert len(lines) == len(expected) + 1  # and the missing 'programme' of the Gers
