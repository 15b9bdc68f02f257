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
    """Add ``data_revision`` (scope 0 counts for every region) and the member index that
    keeps the staff lists and the streamed exports on the index (region, newest first)."""
    op.create_table('data_revision',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope')
    )
    op.execute(sa.text("INSERT INTO data_revision (scope, revision) VALUES (0, 0)"))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_region_id_id', ['region_id', 'id'], unique=False)


def downgrade() -> None:
    """Remove them."""
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_region_id_id')
    op.drop_table('data_revision')
