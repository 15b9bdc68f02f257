"""hub: the harvest runs as a scheduled job, one run per due time (replaces the lease)

Revision ID: h0003
Revises: h0002
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'h0003'
down_revision = 'h0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``hub_job_run`` and drop ``hub_lease`` (docs/decisions/0023-scheduled-jobs.md)."""
    op.create_table('hub_job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'slot', name='uq_hub_job_run_job_slot')
    )
    with op.batch_alter_table('hub_job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_job_run_job'), ['job'], unique=False)
        batch_op.create_index(batch_op.f('ix_hub_job_run_started_at'), ['started_at'],
                              unique=False)
    op.drop_table('hub_lease')


def downgrade() -> None:
    """Bring the lease back and drop the job runs."""
    op.create_table('hub_lease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('hub_job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hub_job_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_hub_job_run_job'))
    op.drop_table('hub_job_run')
