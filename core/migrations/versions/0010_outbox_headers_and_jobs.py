"""Outbox headers, attachments and dedupe keys; the runs of scheduled jobs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Let e-mails carry headers and an .ics, keep reminders single, record job runs
    (docs/decisions/0023-scheduled-jobs.md)."""
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_unique_constraint('uq_outbox_mail_dedupe_key', ['dedupe_key'])
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'slot', name='uq_job_run_job_slot')
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_job'), ['job'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_run_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    """Remove the job runs and the outbox's new columns."""
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_job_run_job'))
    op.drop_table('job_run')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_mail_dedupe_key', type_='unique')
        batch_op.drop_column('attachments')
        batch_op.drop_column('headers')
        batch_op.drop_column('dedupe_key')
