"""Data revisions: a counter per region, raised by every change to its records

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``data_revision`` (scope 0 counts for every region) and the indexes of the staff
    lists: (region, id) for pages newest first and the streamed exports, (region, status, id)
    and (region, sector, id) for the lists by status and by sector, (region, commune)
    for the search by commune (newest first) and, on PostgreSQL, a trigram index for the search by name
    (when the ``pg_trgm`` extension is available: it comes with PostgreSQL's contrib)."""
    op.create_table('data_revision',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope')
    )
    op.execute(sa.text("INSERT INTO data_revision (scope, revision) VALUES (0, 0)"))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_region_id_id', ['region_id', 'id'], unique=False)
        batch_op.create_index('ix_member_region_status_id', ['region_id', 'status', 'id'],
                              unique=False)
        batch_op.create_index('ix_member_region_sector_id', ['region_id', 'sector_slug', 'id'],
                              unique=False)
    op.execute(sa.text("CREATE INDEX ix_member_region_commune ON member (region_id, lower(commune), id)"))
    if op.get_bind().dialect.name == "postgresql":
        _trigram_index()


def _trigram_index() -> None:
    bind = op.get_bind()
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        return  # the search by name reads the region's rows: slower, still right
    bind.execute(sa.text("SELECT pg_advisory_xact_lock(7406115)"))  # one creator at a time
    # In "public" where it exists, so that dropping an instance's own schema never drops it.
    public = bind.execute(sa.text(
        "SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first() is not None
    try:
        with bind.begin_nested():  # without the right to create it, go on without it
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"
                                 + (" WITH SCHEMA public" if public else "")))
    except sa.exc.DBAPIError:
        return
    schema = bind.execute(sa.text(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    )).scalar_one()
    op.execute(sa.text(
        "CREATE INDEX ix_member_name_trgm ON member USING gin ("
        "lower(first_name || ' ' || last_name || ' ' || coalesce(business_name, ''))"
        f' "{schema}".gin_trgm_ops)'))


def downgrade() -> None:
    """Remove them."""
    op.execute(sa.text("DROP INDEX IF EXISTS ix_member_name_trgm"))
    op.execute(sa.text("DROP INDEX ix_member_region_commune"))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_region_sector_id')
        batch_op.drop_index('ix_member_region_status_id')
        batch_op.drop_index('ix_member_region_id_id')
    op.drop_table('data_revision')
