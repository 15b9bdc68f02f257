"""The staff account who delivered a service

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``serviceuse.advisor_id`` (an account of the region's staff)."""
    with op.batch_alter_table('serviceuse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advisor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_serviceuse_advisor_id_user_account', 'user_account',
                                    ['advisor_id'], ['id'])


def downgrade() -> None:
    """Remove ``serviceuse.advisor_id``."""
    with op.batch_alter_table('serviceuse', schema=None) as batch_op:
        batch_op.drop_constraint('fk_serviceuse_advisor_id_user_account', type_='foreignkey')
        batch_op.drop_column('advisor_id')
