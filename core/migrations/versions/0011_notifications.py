"""Notifications: the kinds people switched off, and each account's mail language

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the opt-outs of notifications and the language of each account's e-mails."""
    op.create_table('notification_opt_out',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'kind')
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2),
                                      nullable=False, server_default='fr'))


def downgrade() -> None:
    """Remove the mail language and the opt-outs."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
    op.drop_table('notification_opt_out')
