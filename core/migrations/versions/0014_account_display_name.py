"""The name staff pages show for an account (an adviser's, an author's)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``display_name`` to the accounts (empty: the pages show the e-mail address)."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name',
                                      sqlmodel.sql.sqltypes.AutoString(length=120),
                                      nullable=True))


def downgrade() -> None:
    """Remove the accounts' names."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('display_name')
