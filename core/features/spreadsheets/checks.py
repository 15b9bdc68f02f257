"""Checking and normalising one value of a spreadsheet. Each check returns the value to store
or raises :class:`Invalid` with a message id (shown translated in the report).

The checks of values that repeat down a column (codes, dates, statuses, communes) keep the
outcomes of the last ``MEMO`` values they accepted: a large file checks each value once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from campagne.features.spreadsheets.fields import normalise
from campagne.features.spreadsheets.reading import Value
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.models import MemberStatus
from campagne.taxonomy import SECTORS, SECTORS_BY_SLUG, sector_for_naf

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
NAF = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
PHONE = re.compile(r"^\+?[0-9 ().\-/]{6,40}$")
COMMUNE = re.compile(r"^[^\W\d_][\w '’.\-()/]*$")
STAGE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEPARTMENT = re.compile(r"^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8])$")
MEMO = 4096
SIRET_SPACING = re.compile(r"[\s.]")
FOURTEEN_DIGITS = re.compile(r"\d{14}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FRENCH_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
COUNTRY = re.compile(r"[A-Z]{2}")
DOUBLED_DIGIT = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed
# Unicode's control characters (category Cc) are exactly these code points.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_BUT_BREAKS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # \t and \n allowed
LA_POSTE_SIREN = "356000000"  # its establishments follow their own SIRET rule (INSEE)
INQUIRY_STATUSES = ("employee_teleworker", "independent", "founder")
MEMBER_STATUSES = frozenset(status.value for status in MemberStatus)
MEMBER_STATUS_WORDS = {
    "installation": "settling", "en installation": "settling", "en cours d installation":
    "settling", "installe": "settled", "installee": "settled", "parti": "left",
    "partie": "left", "a quitte": "left", "refuse": "declined", "refusee": "declined",
    "decline": "declined", "prospect": "prospect", "candidat": "prospect",
    "candidate": "prospect",
}
INQUIRY_STATUS_WORDS = {
    "salarie": "employee_teleworker", "salariee": "employee_teleworker",
    "salarie en teletravail": "employee_teleworker", "teletravailleur": "employee_teleworker",
    "teletravailleuse": "employee_teleworker", "employee": "employee_teleworker",
    "teleworker": "employee_teleworker", "independant": "independent",
    "independante": "independent", "freelance": "independent", "createur": "founder",
    "creatrice": "founder", "createur d entreprise": "founder", "creation": "founder",
}


class Invalid(ValueError):
    """A value that breaks its rule; ``message`` is a message id with ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def text(value: Value, max_length: int) -> str:
    """Plain text on one line (no control character), at most ``max_length`` characters."""
    found = str(value).strip()
    if CONTROL.search(found):
        raise Invalid(N_("contains control characters"))
    if len(found) > max_length:
        raise Invalid(N_("longer than %(limit)s characters"), limit=max_length)
    return found


def long_text(value: Value, max_length: int) -> str:
    """Text on several lines."""
    found = str(value).strip().replace("\r\n", "\n")
    if CONTROL_BUT_BREAKS.search(found):
        raise Invalid(N_("contains control characters"))
    if len(found) > max_length:
        raise Invalid(N_("longer than %(limit)s characters"), limit=max_length)
    return found


def email(value: Value, max_length: int) -> str:
    """An e-mail address (stored as written, compared without case)."""
    found = text(value, max_length)
    if not EMAIL.match(found):
        raise Invalid(N_("\"%(value)s\" is not an e-mail address"), value=found)
    return found


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a string of digits is right."""
    kept = sum(map(int, digits[-1::-2]))
    doubled = sum(DOUBLED_DIGIT[int(char)] for char in digits[-2::-2])
    return (kept + doubled) % 10 == 0


def siret(value: Value, max_length: int) -> str:
    """A SIRET: 14 digits (spaces allowed when written) with a right Luhn checksum."""
    found = SIRET_SPACING.sub("", str(value))
    if not FOURTEEN_DIGITS.fullmatch(found):
        raise Invalid(N_("a SIRET has 14 digits"))
    la_poste = found.startswith(LA_POSTE_SIREN) and sum(map(int, found)) % 5 == 0
    if not (luhn_valid(found) or la_poste):
        raise Invalid(N_("\"%(value)s\" is not a valid SIRET (wrong check digit)"),
                      value=found)
    return found


@lru_cache(maxsize=MEMO)
def naf(value: Value, max_length: int) -> str:
    """A NAF rév. 2 code, written ``62.01Z`` (``6201Z`` and ``62.01 z`` are accepted)."""
    match = NAF.match(str(value).strip().upper().replace(" ", ""))
    if not match:
        raise Invalid(N_("\"%(value)s\" is not a NAF code (like 62.01Z)"), value=value)
    return f"{match[1]}.{match[2]}{match[3]}"


@lru_cache(maxsize=MEMO)
def sector(value: Value, max_length: int) -> str:
    """A sector slug, a sector's label (French or English) or a NAF code mapped to its sector."""
    found = str(value).strip()
    if found in SECTORS_BY_SLUG:
        return found
    named = _sector_names().get(normalise(found))
    if named:
        return named
    try:
        return sector_for_naf(naf(found, 6)).slug
    except Invalid:
        raise Invalid(N_("unknown sector \"%(value)s\" (give a sector or a NAF code)"),
                      value=found) from None


@lru_cache(maxsize=MEMO)
def day(value: Value, max_length: int) -> dt.date:
    """A date: dd/mm/yyyy (French), yyyy-mm-dd (ISO) or a date cell."""
    if isinstance(value, dt.date):
        return value
    found = str(value).strip()
    try:
        if ISO_DATE.fullmatch(found):
            return dt.date.fromisoformat(found)
        match = FRENCH_DATE.fullmatch(found)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise Invalid(N_("\"%(value)s\" is not a date (dd/mm/yyyy or yyyy-mm-dd)"), value=found)


@lru_cache(maxsize=MEMO)
def member_status(value: Value, max_length: int) -> str:
    """A member status (``settled``...) or its French word (``installé``...)."""
    found = normalise(str(value)).replace(" ", "_")
    if found in MEMBER_STATUSES:
        return found
    word = MEMBER_STATUS_WORDS.get(normalise(str(value)))
    if word:
        return word
    raise Invalid(N_("unknown status \"%(value)s\" (one of: %(choices)s)"), value=value,
                  choices=", ".join(status.value for status in MemberStatus))


@lru_cache(maxsize=MEMO)
def inquiry_status(value: Value, max_length: int) -> str:
    """Employee teleworker, independent or founder (in English or French words)."""
    found = normalise(str(value)).replace(" ", "_")
    if found in INQUIRY_STATUSES:
        return found
    word = INQUIRY_STATUS_WORDS.get(normalise(str(value)))
    if word:
        return word
    raise Invalid(N_("unknown status \"%(value)s\" (one of: %(choices)s)"), value=value,
                  choices=", ".join(INQUIRY_STATUSES))


@lru_cache(maxsize=MEMO)
def stage(value: Value, max_length: int) -> str:
    """A pipeline stage key (``new``, ``contacted``...)."""
    found = str(value).strip().lower()
    if not STAGE.match(found):
        raise Invalid(N_("\"%(value)s\" is not a stage key (lower-case letters, digits, _)"),
                      value=value)
    return found


@lru_cache(maxsize=MEMO)
def commune(value: Value, max_length: int) -> str:
    """A commune's name: starts with a letter; letters, spaces, hyphens and apostrophes."""
    found = text(value, max_length)
    if not COMMUNE.match(found):
        raise Invalid(N_("\"%(value)s\" is not a commune name"), value=found)
    return found


def phone(value: Value, max_length: int) -> str:
    """A phone number: digits, spaces, dots, hyphens, brackets, a leading +."""
    found = text(value, max_length)
    if not PHONE.match(found):
        raise Invalid(N_("\"%(value)s\" is not a phone number"), value=found)
    return found


@lru_cache(maxsize=MEMO)
def country(value: Value, max_length: int) -> str:
    """A two-letter ISO 3166 country code (``FR``, ``BE``...)."""
    found = str(value).strip().upper()
    if not COUNTRY.fullmatch(found):
        raise Invalid(N_("\"%(value)s\" is not a two-letter country code (FR, BE...)"),
                      value=value)
    return found


@lru_cache(maxsize=MEMO)
def department(value: Value, max_length: int) -> str:
    """A French département code (``32``, ``2A``, ``974``...)."""
    found = str(value).strip().upper()
    found = found.zfill(2) if found.isdigit() and len(found) == 1 else found
    if not DEPARTMENT.match(found):
        raise Invalid(N_("\"%(value)s\" is not a département code"), value=value)
    return found


@cache
def _sector_names() -> dict[str, str]:
    """Each sector's slug and labels (English, French) as compared, with its slug."""
    return {normalise(name): sector.slug for sector in SECTORS
            for name in (sector.slug, sector.label, translations("fr").gettext(sector.label))}


CHECKS: dict[str, Callable[[Value, int], object]] = {
    "text": text, "long_text": long_text, "email": email, "siret": siret, "naf": naf,
    "sector": sector, "date": day, "member_status": member_status,
    "inquiry_status": inquiry_status, "stage": stage, "commune": commune, "phone": phone,
    "country": country, "department": department,
}
