"""The columns of each kind of record, their labels and header synonyms (French and English),
and the automatic matching of a file's headers to them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from campagne.i18n import translations
from campagne.i18n_markers import N_


class Kind(StrEnum):
    """What a spreadsheet holds."""

    MEMBERS = "members"
    INQUIRIES = "inquiries"


@dataclass(frozen=True)
class FieldSpec:
    """One importable and exportable column.

    ``key`` names the field in mappings (``--map "Nom=last_name"``), ``attribute`` the
    column of the table, ``check`` the rule its values follow (see :mod:`checks`)."""

    key: str
    label: str
    check: str = "text"
    max_length: int = 200
    required: bool = False
    synonyms: tuple[str, ...] = ()
    attribute: str = ""

    @property
    def column(self) -> str:
        """The table column the field is written to."""
        return self.attribute or self.key


_COMMON: tuple[FieldSpec, ...] = (
    FieldSpec("last_name", N_("Last name"), max_length=100, required=True,
              synonyms=("nom", "nom de famille", "surname", "family name", "name")),
    FieldSpec("first_name", N_("First name"), max_length=100, required=True,
              synonyms=("prenom", "given name", "forename")),
    FieldSpec("email", N_("E-mail"), "email",
              synonyms=("email", "e mail", "courriel", "mail", "adresse e mail",
                        "adresse email", "adresse electronique", "e mail address")),
    FieldSpec("phone", N_("Phone"), "phone", max_length=40,
              synonyms=("telephone", "tel", "portable", "mobile", "phone number")),
)
_SECTOR = FieldSpec("sector", N_("Sector"), "sector", attribute="sector_slug",
                    synonyms=("secteur", "secteur d activite", "activity sector"))
_LAST_CONTACT = FieldSpec("last_contact_at", N_("Last contact"), "date",
                          synonyms=("dernier contact", "date du dernier contact",
                                    "last contact date"))

MEMBER_FIELDS: tuple[FieldSpec, ...] = (
    *_COMMON,
    FieldSpec("business_name", N_("Business name"),
              synonyms=("entreprise", "societe", "raison sociale", "nom commercial",
                        "company", "business")),
    FieldSpec("siret", N_("SIRET"), "siret",
              synonyms=("n siret", "numero siret", "no siret", "siret number")),
    FieldSpec("naf_code", N_("NAF code"), "naf",
              synonyms=("naf", "code naf", "code ape", "ape", "code naf ape", "activity code")),
    _SECTOR,
    FieldSpec("commune", N_("Commune"), "commune", max_length=120,
              synonyms=("ville", "localite", "town", "municipality", "city")),
    FieldSpec("origin_area", N_("Came from"), max_length=120,
              synonyms=("origine", "region d origine", "provenance", "origin", "origin area")),
    FieldSpec("origin_country", N_("Country of origin"), "country", max_length=2,
              synonyms=("pays", "pays d origine", "country", "origin country")),
    FieldSpec("arrival_date", N_("Arrival date"), "date",
              synonyms=("date d arrivee", "arrivee", "arrive le", "arrival", "arrived on")),
    FieldSpec("left_on", N_("Left on"), "date",
              synonyms=("date de depart", "depart", "parti le", "departure date", "left")),
    FieldSpec("status", N_("Status"), "member_status",
              synonyms=("statut", "etat", "situation")),
    _LAST_CONTACT,
)

INQUIRY_FIELDS: tuple[FieldSpec, ...] = (
    *_COMMON,
    FieldSpec("origin_area", N_("Came from"), max_length=120,
              synonyms=("origine", "region d origine", "provenance", "origin", "origin area",
                        "habite a", "lives in")),
    FieldSpec("origin_department", N_("Département of origin"), "department", max_length=3,
              synonyms=("departement", "departement d origine", "dept", "origin department")),
    FieldSpec("activity", N_("Activity"), max_length=300,
              synonyms=("activite", "metier", "profession", "occupation", "job")),
    _SECTOR,
    FieldSpec("status", N_("Work situation"), "inquiry_status",
              synonyms=("statut", "situation", "situation professionnelle", "status")),
    FieldSpec("timing", N_("Moving when"), max_length=40,
              synonyms=("echeance", "calendrier", "quand", "date de demenagement", "timing",
                        "when")),
    FieldSpec("heard_from", N_("Heard of us through"), max_length=120,
              synonyms=("connu par", "source", "comment nous avez vous connus", "heard from",
                        "how did you hear of us")),
    FieldSpec("message", N_("Message"), "long_text", max_length=5000,
              synonyms=("commentaire", "commentaires", "remarques", "notes", "comment")),
    FieldSpec("stage", N_("Stage"), "stage", max_length=40,
              synonyms=("etape", "etape du suivi", "pipeline stage")),
    FieldSpec("next_action", N_("Next action"),
              synonyms=("prochaine action", "a faire", "to do")),
    FieldSpec("next_action_on", N_("Next action on"), "date",
              synonyms=("prochaine action le", "date de relance", "relance",
                        "follow up date")),
    _LAST_CONTACT,
)

FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {Kind.MEMBERS: MEMBER_FIELDS,
                                             Kind.INQUIRIES: INQUIRY_FIELDS}
IGNORE = "-"  # the mapping value of a column left out


@lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """A header as compared: no accents, lower case, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", header)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[^0-9a-z]+", plain)).strip()


def field_by_key(kind: Kind, key: str) -> FieldSpec | None:
    """The field of ``kind`` named ``key``, if any."""
    return next((spec for spec in FIELDS[kind] if spec.key == key), None)


def _names_of(spec: FieldSpec) -> set[str]:
    """Every header matching ``spec``: its key, its label in each language, its synonyms."""
    french = translations("fr").gettext(spec.label)
    names = {spec.key, spec.key.replace("_", " "), spec.label, french, *spec.synonyms}
    return {normalise(name) for name in names}


def auto_mapping(kind: Kind, headers: Sequence[str]) -> list[str]:
    """For each header, the key of the field it names, or :data:`IGNORE`. A field is given to
    the first column that names it; later columns naming it again are left out."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        found = IGNORE
        wanted = normalise(header)
        for spec in FIELDS[kind]:
            if spec.key not in taken and wanted and wanted in _names_of(spec):
                found = spec.key
                taken.add(spec.key)
                break
        mapping.append(found)
    return mapping
