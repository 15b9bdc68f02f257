"""hub trends: scalar figures of each snapshot, and an index per series

Revision ID: h0002
Revises: h0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = 'h0002'
down_revision = 'h0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``hub_snapshot.figures`` (null for the snapshots already kept) and the series index."""
    with op.batch_alter_table('hub_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=True))
        batch_op.create_index('ix_hub_snapshot_series',
                              ['instance_name', 'region_slug', 'harvested_at', 'id'],
                              unique=False)


def downgrade() -> None:
    """Drop the series index and the figures."""
    with op.batch_alter_table('hub_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_snapshot_series')
        batch_op.drop_column('figures')
