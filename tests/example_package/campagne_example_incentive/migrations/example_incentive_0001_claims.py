"""The table of relocation bonuses granted

Revision ID: example_incentive_0001
Revises:
Create Date: 2026-12-06 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'example_incentive_0001'
down_revision = None
branch_labels = ('example_incentive',)
depends_on = None


def upgrade() -> None:
    """Add the table of bonuses granted (one region's rows each carry its id)."""
    op.create_table('example_incentive_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('amount_eur', sa.Float(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('example_incentive_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_example_incentive_claim_region_id'),
                              ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_example_incentive_claim_member_id'),
                              ['member_id'], unique=False)


def downgrade() -> None:
    """Remove the table of bonuses granted."""
    op.drop_table('example_incentive_claim')
