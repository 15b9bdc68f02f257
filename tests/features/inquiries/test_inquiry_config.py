"""The ``inquiry_form`` section of ``region.yaml``: sensible defaults when absent, strict
checks reported as ``region.yaml:LINE:COL``, and the documented example valid."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from campagne.cli import main
from campagne.config import INQUIRY_DEFAULT_FIELDS, InquiryForm, RegionConfig
from campagne.errors import ConfigInvalid
from campagne.features.inquiries.form import DEFAULTS, form_spec
from campagne.features.inquiries.intake import entry_stage
from campagne.regions import load_region_folder
from campagne.testing import RegionKit, minimal_region

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_when_the_section_is_absent() -> None:
    config = RegionConfig.model_validate(minimal_region())
    assert config.inquiry_form == InquiryForm()
    assert tuple(DEFAULTS) == INQUIRY_DEFAULT_FIELDS
    spec = form_spec(config, "fr")
    assert [field.name for field in spec.fields] == list(INQUIRY_DEFAULT_FIELDS)
    required = {field.name for field in spec.fields if field.required}
    assert required == {"first_name", "last_name", "email", "consent"}
    assert dict(spec.by_name()["status"].choices) == {
        "employee_teleworker": "Salarié en télétravail", "independent": "Indépendant",
        "founder": "Créateur d’entreprise"}
    assert [value for value, _ in spec.by_name()["timing"].choices] == [
        "within_6_months", "within_a_year", "later", "not_sure"]
    assert len(spec.by_name()["sector"].choices) == 8


BROKEN = """\
slug: lot
code: "46"
name: Lot
administrative_region: Occitanie
programme:
  name: Programme d'essai
  operator: CCI d'essai
  audience: Indépendants
  description: Un programme d'essai.
services:
  - slug: accueil
    category: welcome
    name: Accueil
    description: On vous accueille.
    delivered_by: CCI d'essai
inquiry_form:
  fields:
    email:
      required: false
  extra_fields:
    - key: housing
      label: Logement
      kind: choice
      choices:
        - {value: rent, label: Location}
    - key: email
      label: Courriel
    - key: budget
      lable: Budget
    - key: note
      label: Note
      choices:
        - {value: a, label: A}
    - key: size
      label: Taille
      kind: choice
      choices:
        - {value: a, label: A}
        - {value: a, label: B}
  heard_from_choices:
    - {value: fair, label: Salon}
"""


def _errors(tmp_path: Path, text: str) -> list[str]:
    folder = RegionKit(tmp_path).region("lot", config=text)
    with pytest.raises(ConfigInvalid) as raised:
        load_region_folder(folder)
    return [str(error).replace(str(folder / "region.yaml"), "region.yaml")
            for error in raised.value.errors]


def test_errors_name_the_line_and_column(tmp_path: Path) -> None:
    errors = _errors(tmp_path, BROKEN)
    expected = [
        "region.yaml:19:7: inquiry_form.fields: the field 'email' is always required",
        "region.yaml:23:7: inquiry_form.extra_fields.0: a 'choice' field needs two "
        "'choices' or more",
        "region.yaml:26:7: inquiry_form.extra_fields.1: key 'email' is already a field",
        "region.yaml:29:7: unknown key 'lable'",
        "region.yaml:28:7: missing required key 'inquiry_form.extra_fields.2.label'",
        "region.yaml:32:7: inquiry_form.extra_fields.3: only a 'choice' field takes 'choices'",
        "region.yaml:39:12: inquiry_form.extra_fields.4.choices: choice 'a' is given twice "
        "(first given on line 38)",
        "region.yaml:40:3: inquiry_form.heard_from_choices: List should have at least 2 items",
    ]
    for wanted in expected:
        assert any(error.startswith(wanted) for error in errors), (wanted, errors)


MORE = BROKEN.split("inquiry_form:")[0] + """\
inquiry_form:
  fields:
    activity: {label: Métier}
    phon: {required: true}
  extra_fields:
    - key: village
      label: Village
    - key: village
      label: Encore
"""


def test_unknown_field_names_and_repeated_keys(tmp_path: Path) -> None:
    errors = _errors(tmp_path, MORE)
    assert errors[0].startswith("region.yaml:19:5: inquiry_form.fields: unknown form field "
                                "'phon'; known: first_name, last_name, email, phone,")
    assert errors[1] == ("region.yaml:23:7: inquiry_form.extra_fields: extra field key "
                         "'village' is given twice (first given on line 21)")
    assert len(errors) == 2


def test_campagne_check_reports_them_without_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = RegionKit(tmp_path).region("lot", config=BROKEN)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"region\.yaml:19:7: .*the field 'email' is always required", err)


def test_the_documented_example_is_valid() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## `inquiry_form`", 1)[1].split("\n## ", 1)[0]
    [example] = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    form = InquiryForm.model_validate(yaml.safe_load(example)["inquiry_form"])
    assert [field.key for field in form.extra_fields] == ["village", "housing"]
    spec = form_spec(RegionConfig.model_validate(minimal_region(
        inquiry_form=form.model_dump(exclude_none=True))), "en")
    assert spec.by_name()["phone"].required
    assert spec.by_name()["activity"].label == "Your trade"
    assert spec.by_name()["consent"].label.startswith("I agree that the chamber")


def test_new_inquiries_start_at_the_first_stage_of_the_pipeline() -> None:
    config = RegionConfig.model_validate(minimal_region())
    assert entry_stage(config) == "new"
    staged = SimpleNamespace(pipeline=SimpleNamespace(entry=SimpleNamespace(key="first_call")))
    assert entry_stage(staged) == "first_call"  # type: ignore[arg-type]
