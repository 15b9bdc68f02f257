"""A covering index for the member figures of a region's pages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 04:30:00.000000
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index the members by region, sector, status and synthetic mark: the region's home
    counts them on every view, from this index alone (no table read, no sort)."""
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_figures',
                              ['region_id', 'sector_slug', 'status', 'synthetic'],
                              unique=False)


def downgrade() -> None:
    """Drop the index."""
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_figures')
