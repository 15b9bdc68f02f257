"""The days of the week a space opens (bookings on other days are refused)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``opening_days`` to the spaces (every day for those already there: nothing that
    was bookable becomes refused)."""
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_days',
                                      sqlmodel.sql.sqltypes.AutoString(length=7),
                                      nullable=False, server_default='1234567'))


def downgrade() -> None:
    """Remove the spaces' opening days."""
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.drop_column('opening_days')
