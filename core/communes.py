"""France's départements and communes, to say where a candidate lives now.

The tables (``data/departements.tsv``, ``data/communes.tsv.gz``) come from INSEE's Code
officiel géographique and La Poste's postcodes, through ``@etalab/decoupage-administratif``
(Licence Ouverte); ``scripts/communes_data.py`` regenerates them. The communes are read on
first use only and kept as a few parallel lists, not one object per commune.

Matching (docs/decisions/0032-simulator-starting-points.md): five digits are a postcode,
then an INSEE code; anything else is a name, compared without accents, case, hyphens or
apostrophes ("st" and "ste" read as "saint" and "sainte"). A name may end with its
département in brackets, "Saint-Denis (93)". Several communes left: the caller lists them.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate

#: At most this many candidates are returned for a query that matches several communes.
MAX_CANDIDATES = 12
_DEPARTMENT = re.compile(r"^(.*?)\s*\((\d[\dAB]\d?)\)\s*$", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[^0-9a-z\n]+")
_SAINT = re.compile(r"\b(st|ste)\b")
_SAINTS = {"st": "saint", "ste": "sainte"}
_EDGES = re.compile(r" *\n *")
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)


@dataclass(frozen=True)
class Department:
    """A département, with its prefecture."""

    code: str
    name: str
    prefecture: str


@dataclass(frozen=True)
class Commune:
    """A commune: its INSEE code, name, département, postcodes and population."""

    code: str
    name: str
    department: str
    postcodes: tuple[str, ...]
    population: int

    @property
    def label(self) -> str:
        """The name with its département, as a candidate may type it back."""
        return f"{self.name} ({self.department})"


def _data(name: str) -> bytes:
    return (resources.files("campagne") / "data" / name).read_bytes()


@cache
def departments() -> dict[str, Department]:
    """The 101 départements by INSEE code, in code order."""
    rows = [line.split("\t") for line in _data("departements.tsv").decode("utf-8").splitlines()
            if line and not line.startswith("#")]
    return {code: Department(code, name, prefecture) for code, name, _, prefecture in rows}


def normalize(text: str) -> str:
    """``text`` without accents, case or punctuation, for comparing commune names; each
    line of ``text`` on its own (the table normalizes all its names in one call)."""
    for letter, plain in (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae")):
        text = text.replace(letter, plain)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _SAINT.sub(lambda m: _SAINTS[m.group(0)], _PUNCTUATION.sub(" ", ascii_text))
    return _EDGES.sub("\n", words).strip(" ")


class _Table:
    """The communes (about 35,000 rows) as a few long strings searched with ``str.find``,
    and an array of where each row starts: a few megabytes, where one object per commune
    would take several times more."""

    def __init__(self, text: str) -> None:
        rows = [line for line in text.splitlines() if line and not line.startswith("#")]
        self.text = "\n".join(rows) + "\n"
        self.starts = array("I", accumulate((len(row) + 1 for row in rows[:-1]), initial=0))
        fields = [row.split("\t") for row in rows]
        self.codes = "".join(code for code, *_ in fields)
        self.keys = "\n" + normalize("\n".join(name for _, name, *_ in fields)) + "\n"
        self.postcodes = "\n" + "\n".join(postcodes for _, _, postcodes, _ in fields) + "\n"

    @staticmethod
    def _lines(haystack: str, needle: str) -> list[int]:
        """The numbers of the lines of ``haystack`` (one "\\n" before each) with ``needle``."""
        found: list[int] = []
        position = haystack.find(needle)
        while position >= 0:
            found.append(haystack.count("\n", 0, position + 1) - 1)
            position = haystack.find(needle, position + 1)
        return found

    def by_name(self, key: str) -> list[int]:
        return self._lines(self.keys, f"\n{key}\n")

    def by_postcode(self, code: str) -> list[int]:
        rows = dict.fromkeys(self._lines(self.postcodes, code))
        return [row for row in rows if code in self.commune(row).postcodes]

    def by_code(self, code: str) -> list[int]:
        position = self.codes.find(code)
        while position >= 0 and position % 5:
            position = self.codes.find(code, position + 1)
        return [position // 5] if position >= 0 else []

    def commune(self, index: int) -> Commune:
        start = self.starts[index]
        code, name, postcodes, population = self.text[
            start:self.text.index("\n", start)].split("\t")
        return Commune(code, name, department_of(code), tuple(postcodes.split()),
                       int(population))


@cache
def _table() -> _Table:
    return _Table(gzip.decompress(_data("communes.tsv.gz")).decode("utf-8"))


def department_of(code: str) -> str:
    """The département of the commune of INSEE code ``code`` (three digits overseas)."""
    return code[:3] if code.startswith("97") else code[:2]


def is_code(text: str) -> bool:
    """Whether ``text`` is a postcode or an INSEE code (five characters)."""
    return bool(_CODE.match(text.strip()))


def find_communes(query: str, department: str | None = None) -> list[Commune]:
    """The communes ``query`` names (see the module's matching rules), in ``department``
    when given, most populated first; at most :data:`MAX_CANDIDATES`."""
    text = " ".join(query.split())  # one line: the keys are searched line by line
    bracketed = _DEPARTMENT.match(text)
    if bracketed:
        text, department = bracketed.group(1), bracketed.group(2).upper()
    table = _table()
    if is_code(text):
        code = text.upper()
        found = table.by_postcode(code) or table.by_code(code)
    else:
        key = normalize(text)
        found = table.by_name(key) if key else []
    communes = [table.commune(i) for i in found]
    if department:
        communes = [c for c in communes if c.department == department]
    communes.sort(key=lambda c: (-c.population, c.code))
    return communes[:MAX_CANDIDATES]
