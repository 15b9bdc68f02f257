"""hub initial schema

Revision ID: h0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'h0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the hub's instances, snapshots and lease."""
    op.create_table('hub_instance',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('last_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('hub_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('region_slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('harvested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['instance_name'], ['hub_instance.name'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hub_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_hub_snapshot_instance_name', ['instance_name'], unique=False)
        batch_op.create_index('ix_hub_snapshot_region_slug', ['region_slug'], unique=False)
        batch_op.create_index('ix_hub_snapshot_harvested_at', ['harvested_at'], unique=False)
    op.create_table('hub_lease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    """Drop the hub's tables."""
    op.drop_table('hub_lease')
    with op.batch_alter_table('hub_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_snapshot_harvested_at')
        batch_op.drop_index('ix_hub_snapshot_region_slug')
        batch_op.drop_index('ix_hub_snapshot_instance_name')
    op.drop_table('hub_snapshot')
    op.drop_table('hub_instance')
