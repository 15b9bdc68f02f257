"""One record per person and region: unique e-mail (without case) and SIRET of members, unique
e-mail of imported inquiries (docs/decisions/0017-unique-people-per-region.md)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00

Records that already share a key with an older record of their region (the copies two
concurrent imports made) are left as they are, named in a warning, and kept out of the
index by their id; the older record and every later one are checked.
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

log = logging.getLogger("campagne.migrations")
# Name, table, indexed expression and predicate; "{p}" is where a table alias goes.
KEYS = (
    ("uq_member_region_email", "member", "lower({p}email)", "{p}email IS NOT NULL"),
    ("uq_member_region_siret", "member", "{p}siret", "{p}siret IS NOT NULL"),
    ("uq_inquiry_region_imported_email", "inquiry", "lower({p}email)",
     "{p}email IS NOT NULL AND {p}source = 'import'"),
)


def _later_copies(table: str, expression: str, predicate: str) -> list[tuple[str, int, int]]:
    """(region slug, id, id of the oldest record) of every record of ``table`` whose key
    an older record of its region already has."""
    def of(alias: str, template: str) -> str:
        return template.format(p=f"{alias}.")

    rows = op.get_bind().execute(sa.text(
        f"SELECT region.slug, later.id, MIN(older.id) FROM {table} later "
        f"JOIN {table} older ON older.region_id = later.region_id AND older.id < later.id "
        f"AND {of('older', expression)} = {of('later', expression)} "
        f"JOIN region ON region.id = later.region_id "
        f"WHERE {of('later', predicate)} AND {of('older', predicate)} "
        f"GROUP BY region.slug, later.id ORDER BY region.slug, later.id")).all()
    return [(str(slug), int(later), int(oldest)) for slug, later, oldest in rows]


def upgrade() -> None:
    """Create the three unique indexes, leaving out the copies already there."""
    for name, table, expression, predicate in KEYS:
        where = predicate.format(p="")
        copies = _later_copies(table, expression, predicate)
        if copies:
            where += f" AND id NOT IN ({', '.join(str(copy) for _, copy, _ in copies)})"
            log.warning(
                "%s: %d record(s) repeat the key of an older record of their region (%s) and "
                "stay out of the uniqueness check until they are merged or erased: %s",
                table, len(copies), name,
                "; ".join(f"{slug} #{copy} (like #{oldest})" for slug, copy, oldest in copies))
        key = expression.format(p="")
        op.create_index(name, table, ["region_id", sa.text(key) if "(" in key else key],
                        unique=True, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def downgrade() -> None:
    """Drop the indexes."""
    for name, table, _expression, _predicate in reversed(KEYS):
        op.drop_index(name, table_name=table)
