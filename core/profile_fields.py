"""Checking the values of the profile fields plug-ins declare (hook ``profile_fields``).

One set of rules for the simulator's API (JSON values), its page (text from the query
string) and an inquiry's saved profile, so they cannot drift apart. A value is given as
text or as its JSON type; the checked value has the field's type (see
:data:`campagne.plugin_types.ProfileValue`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from campagne.config import localize
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.plugin_types import (
    COMMUNE_CODE,
    CORE_PROFILE_FIELDS,
    ProfileField,
    ProfileValue,
)

TRUE_TEXT = ("true", "on", "1", "yes", "oui")
FALSE_TEXT = ("false", "off", "0", "no", "non")
#: Whole numbers are kept within what a database integer column holds.
INT_BOUNDS = (-(2**31), 2**31 - 1)
INTEGER_TEXT = re.compile(r"^[+-]?[0-9]{1,12}$")


class FieldValueError(ValueError):
    """A value that does not fit its field's declaration; the message says why."""


def _number(profile_field: ProfileField, raw: Any) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FieldValueError("expected a number")
    if profile_field.kind == "integer":
        if isinstance(raw, str):
            if not INTEGER_TEXT.fullmatch(raw):
                raise FieldValueError("expected a whole number")
            raw = int(raw)
        if isinstance(raw, float):
            if not raw.is_integer():
                raise FieldValueError("expected a whole number")
            raw = int(raw)
        if not INT_BOUNDS[0] <= raw <= INT_BOUNDS[1]:
            raise FieldValueError("this number is out of range")
        value: int | float = raw
    else:
        try:
            value = float(raw)
        except ValueError:
            raise FieldValueError("expected a number") from None
        if not math.isfinite(value):
            raise FieldValueError("expected a finite number")
    if profile_field.minimum is not None and value < profile_field.minimum:
        raise FieldValueError(f"must be at least {profile_field.minimum:g}")
    if profile_field.maximum is not None and value > profile_field.maximum:
        raise FieldValueError(f"must be at most {profile_field.maximum:g}")
    return value


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in TRUE_TEXT + FALSE_TEXT:
        return raw.lower() in TRUE_TEXT
    raise FieldValueError("expected true or false")


def _text(profile_field: ProfileField, raw: Any) -> str:
    if not isinstance(raw, str):
        raise FieldValueError("expected text")
    value = raw.strip()
    options = [option.value for option in profile_field.options]
    if profile_field.kind == "commune":
        value = value.upper()
        if not re.fullmatch(COMMUNE_CODE, value):
            raise FieldValueError("expected an INSEE commune code, such as 32013")
    if options and value not in options:
        raise FieldValueError(f"expected one of {', '.join(options)}")
    if len(value) > profile_field.max_length:
        raise FieldValueError(f"at most {profile_field.max_length} characters")
    if profile_field.pattern and not re.fullmatch(profile_field.pattern, value):
        raise FieldValueError(f"does not match the pattern {profile_field.pattern}")
    return value


def check_value(profile_field: ProfileField, raw: Any) -> ProfileValue | None:
    """The checked value of ``raw`` for ``profile_field``; ``None`` when not given.

    :raises FieldValueError: when the value does not fit (or a required one is missing).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if profile_field.required:
            raise FieldValueError("a value is required")
        return None
    if isinstance(raw, str):
        raw = raw.strip()
    if profile_field.kind in ("integer", "decimal"):
        return _number(profile_field, raw)
    if profile_field.kind == "boolean":
        return _boolean(raw)
    return _text(profile_field, raw)


def check_values(fields: Iterable[ProfileField], raw: Mapping[str, Any]
                 ) -> tuple[dict[str, ProfileValue], dict[str, str]]:
    """The checked values of ``fields`` found in ``raw``, and an error message per key."""
    values: dict[str, ProfileValue] = {}
    errors: dict[str, str] = {}
    for profile_field in fields:
        try:
            value = check_value(profile_field, raw.get(profile_field.key))
        except FieldValueError as exc:
            errors[profile_field.key] = str(exc)
            continue
        if value is not None:
            values[profile_field.key] = value
    return values, errors


def undeclared(raw: Mapping[str, Any], fields: Iterable[ProfileField]) -> list[str]:
    """The keys of ``raw`` that are neither the core's fields nor declared ones."""
    known = set(CORE_PROFILE_FIELDS) | {profile_field.key for profile_field in fields}
    return sorted(key for key in raw if key not in known)


def shown_value(profile_field: ProfileField, value: ProfileValue, locale: str) -> str:
    """``value`` as a person reads it in ``locale``: an option's label (with a commune's
    code), yes or no, or the value itself."""
    if isinstance(value, bool):
        return translations(locale).gettext(N_("Yes") if value else N_("No"))
    label = profile_field.option_label(value)
    if label is None:
        return str(value)
    text = localize(label, locale)
    return f"{text} ({value})" if profile_field.kind == "commune" else text
