"""One record per person and region, enforced by the database (docs/decisions/0017).

Three unique partial indexes, declared on the models and created by migration 0007:

- a member's e-mail address, without case, within its region;
- a member's SIRET within its region;
- the e-mail address, without case, of the inquiries an import created, within their region
  (the inquiries the public form and the API receive may repeat an address: a person may
  write twice, and refusing them would tell a stranger who wrote).

Erasure sets the e-mail address and the SIRET to null, which the indexes leave out, so an
erased record never collides. A write that breaks one of them raises :class:`DuplicatePerson`
(converted from the database's ``IntegrityError`` by :func:`duplicate_of`), answered 409.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Index, text
from sqlalchemy.exc import IntegrityError

from campagne.i18n import gettext
from campagne.i18n_markers import N_


@dataclass(frozen=True)
class PersonKey:
    """A unique partial index: ``(region_id, expression) WHERE predicate``."""

    name: str
    table: str
    field: str
    expression: str
    predicate: str
    message: str

    def index(self) -> Index:
        """The index, for the model's ``__table_args__``."""
        column = text(self.expression) if "(" in self.expression else self.expression
        return Index(self.name, "region_id", column, unique=True,
                     sqlite_where=text(self.predicate), postgresql_where=text(self.predicate))


MEMBER_EMAIL = PersonKey("uq_member_region_email", "member", "email", "lower(email)",
                         "email IS NOT NULL",
                         N_("Another member of this region already has this e-mail address."))
MEMBER_SIRET = PersonKey("uq_member_region_siret", "member", "siret", "siret",
                         "siret IS NOT NULL",
                         N_("Another member of this region already has this SIRET."))
IMPORTED_INQUIRY_EMAIL = PersonKey(
    "uq_inquiry_region_imported_email", "inquiry", "email", "lower(email)",
    "email IS NOT NULL AND source = 'import'",
    N_("Another imported inquiry of this region already has this e-mail address."))
PERSON_KEYS = (MEMBER_EMAIL, MEMBER_SIRET, IMPORTED_INQUIRY_EMAIL)


class DuplicatePerson(Exception):
    """A write would give a region two records of the same person."""

    def __init__(self, key: PersonKey) -> None:
        super().__init__(key.name)
        self.key = key

    def translated(self) -> str:
        """What happened, in the current language."""
        return gettext(self.key.message)


def duplicate_of(error: IntegrityError) -> PersonKey | None:
    """The index of :data:`PERSON_KEYS` that ``error`` broke, if it is one of them."""
    original = error.orig
    diagnosis = getattr(original, "diag", None)  # psycopg names the constraint
    name = getattr(diagnosis, "constraint_name", None)
    message = str(original)
    for key in PERSON_KEYS:
        # SQLite names an index on an expression, and the columns of an index on columns.
        if name == key.name or f"index '{key.name}'" in message \
                or f"{key.table}.region_id, {key.table}.{key.expression}" in message:
            return key
    return None


def raise_if_duplicate(error: IntegrityError) -> None:
    """Raise :class:`DuplicatePerson` from ``error`` when it broke one of the indexes."""
    key = duplicate_of(error)
    if key is not None:
        raise DuplicatePerson(key) from error
