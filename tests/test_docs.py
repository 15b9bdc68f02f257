"""The developer documentation stays true to the code: every hook is documented and tested,
every key of ``region.yaml`` and every ``CAMPAGNE_*`` setting is described, every public
function and class of the engine has a docstring, and the examples run."""

from __future__ import annotations

import ast
import inspect
import re
import types
import typing
from pathlib import Path

import pluggy
import pytest
from pydantic import BaseModel

from campagne import hookimpl, toolkit
from campagne.config import RegionConfig
from campagne.plugin_manager import CampagnePluginManager
from campagne.settings import CampagneSettings
from campagne.testing import RegionKit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PLUGINS_DOC = DOCS / "plugins.md"
CONFIG_DOC = DOCS / "configuration.md"
HOOK_HEADING = re.compile(r"^### `([^`]+)`\s*$", re.MULTILINE)
CODE_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Where the plug-ins of this repository live, for the "Used by" lines.
PLUGIN_SOURCES = ("plugins/*.py", "regions/*/plugins/*.py", "tests/example_package/*/*.py",
                  "core/features/*.py", "core/features/*/__init__.py")


def hook_names() -> set[str]:
    """The hooks of the plug-in manager that have a specification."""
    hooks = CampagnePluginManager().pm.hook
    return {name for name, caller in vars(hooks).items()
            if isinstance(caller, pluggy.HookCaller) and caller.spec is not None}


def hook_sections() -> dict[str, str]:
    """The text of each ``### `name``` section of docs/plugins.md, by heading."""
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    matches = list(HOOK_HEADING.finditer(text))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        following = re.search(r"^## ", text[match.end():end], re.MULTILINE)
        sections[match.group(1)] = text[match.end(): match.end() + following.start()
                                        if following else end]
    return sections


def test_hooks_exist() -> None:
    assert {"register_services", "incentives_for_profile", "on_member_event"} <= hook_names()


def test_every_hook_has_a_section_in_the_plugin_guide() -> None:
    headings = set(hook_sections())
    assert hook_names() - headings == set(), "hooks without a '### `name`' section"
    assert headings - hook_names() == set(), "'### `name`' sections that are no hook"


def test_every_hook_has_its_own_test() -> None:
    tests: set[str] = set()
    for file in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        tests |= {node.name for node in tree.body
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    missing = sorted(name for name in hook_names() if f"test_hook_{name}" not in tests)
    assert missing == [], f"no test_hook_<name> function for: {', '.join(missing)}"


@pytest.mark.parametrize("hook", sorted(hook_names()))
def test_hook_section_gives_signature_and_example(hook: str) -> None:
    """Each section has the hook's signature and an example implementation of it."""
    section = hook_sections()[hook]
    python = [code for kind, code in CODE_BLOCK.findall(section) if kind == "python"]
    assert python and python[0].lstrip().startswith(f"def {hook}("), "no signature block"
    caller = getattr(CampagnePluginManager().pm.hook, hook)
    for argument in caller.spec.argnames:
        assert f"`{argument}`" in section, f"argument {argument} is not described"
    assert "**Returns**" in section
    examples = []
    for code in python[1:]:
        tree = ast.parse(code)
        examples += [node for node in tree.body if isinstance(node, ast.FunctionDef)
                     and node.name == hook
                     and any(ast.unparse(d) == "hookimpl" for d in node.decorator_list)]
    assert examples, f"no example implementation of {hook} marked with @hookimpl"
    for example in examples:
        arguments = example.args
        assert arguments.defaults == [] and arguments.kw_defaults == [], "defaults in example"
        assert {a.arg for a in arguments.args} <= set(caller.spec.argnames)


def plugins_of_this_repository() -> dict[str, set[str]]:
    """The hooks each plug-in file of this repository implements, by path."""
    found: dict[str, set[str]] = {}
    for pattern in PLUGIN_SOURCES:
        for file in sorted(ROOT.glob(pattern)):
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            hooks = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                     and any(ast.unparse(d).startswith("hookimpl") for d in node.decorator_list)}
            if hooks:
                found[file.relative_to(ROOT).as_posix()] = hooks
    return found


@pytest.mark.parametrize("hook", sorted(hook_names()))
def test_hook_section_names_the_plugins_that_use_it(hook: str) -> None:
    line = re.search(r"^\*\*Used by:\*\*(.*?)(?:\n\n|\Z)", hook_sections()[hook],
                     re.MULTILINE | re.DOTALL)
    assert line, "no '**Used by:**' paragraph"
    named = set(re.findall(r"`([\w./-]+\.py)`", line.group(1)))
    using = {path for path, hooks in plugins_of_this_repository().items() if hook in hooks}
    # Template files and tests may be named too; plug-in files must be exact.
    named_plugins = {path for path in named if not path.rsplit("/", 1)[-1].startswith("test_")}
    assert named_plugins == using
    if not using:
        assert line.group(1).strip().startswith("none yet")


def region_config_keys(model: type[BaseModel] = RegionConfig) -> set[str]:
    """Every key of ``model`` and of the models it contains, however deep."""
    keys: set[str] = set()
    seen: set[type[BaseModel]] = set()

    def visit(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            seen.add(annotation)
            for name, field in annotation.model_fields.items():
                keys.add(name)
                visit(field.annotation)
            return
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            visit(typing.get_args(annotation)[0])
            return
        if origin is not None or isinstance(annotation, types.UnionType):
            for argument in typing.get_args(annotation):
                visit(argument)

    visit(model)
    return keys


def test_region_config_keys_are_walked() -> None:
    keys = region_config_keys()
    assert {"slug", "programme", "contact", "email", "price", "per", "primary_color",
            "sector", "url"} <= keys


def test_every_region_config_key_is_documented() -> None:
    text = CONFIG_DOC.read_text(encoding="utf-8")
    missing = sorted(key for key in region_config_keys() if f"`{key}`" not in text)
    assert missing == [], f"keys of region.yaml missing from docs/configuration.md: {missing}"


def test_every_environment_setting_is_documented() -> None:
    text = CONFIG_DOC.read_text(encoding="utf-8")
    prefix = CampagneSettings.model_config["env_prefix"]
    missing = sorted(f"{prefix}{name.upper()}" for name in CampagneSettings.model_fields
                     if f"`{prefix}{name.upper()}`" not in text)
    assert missing == [], f"settings missing from docs/configuration.md: {missing}"


def public_definitions_without_docstring() -> list[str]:
    """Module-level public functions and classes of the engine that lack a docstring."""
    missing = []
    for file in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in tree.body:
            kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            if isinstance(node, kinds) and not node.name.startswith("_") \
                    and not ast.get_docstring(node):
                missing.append(f"{file.relative_to(ROOT)}:{node.lineno}: {node.name}")
    return missing


def test_public_functions_and_classes_of_the_engine_have_docstrings() -> None:
    assert public_definitions_without_docstring() == []


def test_decisions_are_numbered_once() -> None:
    numbers = [path.name[:4] for path in sorted((DOCS / "decisions").glob("*.md"))]
    assert numbers and all(number.isdigit() for number in numbers)
    assert len(numbers) == len(set(numbers)), "two decisions share a number"
    for path in sorted((DOCS / "decisions").glob("*.md")):
        title = path.read_text(encoding="utf-8").splitlines()[0]
        assert title.startswith(f"# {path.name[:4]}. "), path.name


@pytest.mark.parametrize("doc", ["plugins.md", "configuration.md", "deployment.md",
                                 "decisions"])
def test_relative_links_lead_somewhere(doc: str) -> None:
    target = DOCS / doc
    files = sorted(target.glob("*.md")) if target.is_dir() else [target]
    for file in files:
        text = file.read_text(encoding="utf-8")
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in link:
                continue
            assert (file.parent / link).exists(), f"{file.name}: broken link {link}"


def anchors(file: Path) -> set[str]:
    """The anchors a Markdown viewer gives the headings of ``file`` (GitHub's rule)."""
    headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-")
            for heading in headings}


@pytest.mark.parametrize("doc", [PLUGINS_DOC, CONFIG_DOC, DOCS / "deployment.md"],
                         ids=lambda path: path.name)
def test_links_to_sections_name_real_headings(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([\w./-]*\.md)?#([\w-]+)\)", text):
        file = (doc.parent / target) if target else doc
        assert anchor in anchors(file), f"{doc.name}: no heading for {target}#{anchor}"


def test_the_testing_example_of_the_plugin_guide_runs(tmp_path: Path) -> None:
    """The RegionKit example of docs/plugins.md is complete: run its test functions."""
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    section = text.split("## Testing a plug-in", 1)[1].split("\n## ", 1)[0]
    [code] = [code for kind, code in CODE_BLOCK.findall(section) if kind == "python"]
    namespace: dict[str, object] = {"__name__": "plugin_guide_example"}
    exec(compile(code, f"{PLUGINS_DOC}:testing example", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests, "the example defines no test function"
    for index, test in enumerate(tests):
        assert callable(test)
        folder = tmp_path / str(index)
        # What the fixtures of campagne.testing_plugin named by the example give.
        fixtures = {"tmp_path": folder, "region_kit": RegionKit(folder / "regions")}
        test(**{name: fixtures[name] for name in inspect.signature(test).parameters})


def test_hookimpl_is_the_documented_marker() -> None:
    assert "from campagne.toolkit import" in PLUGINS_DOC.read_text(encoding="utf-8")
    assert isinstance(toolkit.hookimpl, pluggy.HookimplMarker)
    assert toolkit.hookimpl is hookimpl  # the name plug-ins of 0.1.0 import still works
