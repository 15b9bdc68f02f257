"""Value types for API input that accept exactly what the OpenAPI document says.

Pydantic's lax mode turns ``0`` into 1 January 1970, ``false`` into ``0`` and ``0`` into
``false``; the document promises a date as ``YYYY-MM-DD``, an integer or a boolean, so a
client that sends anything else gets a 422 naming the field instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, get_args

from pydantic import BaseModel, BeforeValidator, StrictBool, model_validator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


def _datetime_text(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (
            isinstance(value, str) and _ISO_DATETIME.match(value)):
        return value
    raise ValueError("expected a date and time as YYYY-MM-DDTHH:MM[:SS][+HH:MM]")


EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
"""An e-mail address, roughly: something, @, a dotted domain; no space nor control character."""

IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]
"""A date given as ``YYYY-MM-DD`` (never a number of seconds)."""

IsoDateTime = Annotated[dt.datetime, BeforeValidator(_datetime_text)]
"""A date and time in ISO 8601 (never a number of seconds)."""

Flag = StrictBool
"""``true`` or ``false`` (never ``0``, ``1`` or a string)."""



def not_nullable(*names: str) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` for a change (PATCH) model: the fields ``names`` may be left
    out but not sent as ``null``, so the document does not offer ``null`` for them (the
    model's own validator refuses it with a 422 naming the field)."""

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            field = schema.get("properties", {}).get(name)
            if not field or "anyOf" not in field:
                continue
            kept = [branch for branch in field["anyOf"] if branch != {"type": "null"}]
            field.pop("anyOf")
            if field.get("default", ...) is None:
                field.pop("default")
            if len(kept) == 1:
                field.update(kept[0])
            else:
                field["anyOf"] = kept

    return edit


def _is_number(annotation: Any) -> bool:
    return annotation in (int, float) or any(arg in (int, float) for arg in get_args(annotation))


class InputModel(BaseModel):
    """A model of API input whose numbers are never read from ``true`` or ``false``
    (text holding a number is still read, as forms send it)."""

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(field.alias or name)
                if isinstance(value, bool) and _is_number(field.annotation):
                    raise ValueError(f"{name}: expected a number, not {str(value).lower()}")
        return data
