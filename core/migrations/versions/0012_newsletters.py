"""Newsletters, their subscribers and sends; when a worker took an e-mail

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the newsletters (written, sent, their figures), the consents to receive them,
    which letter went to whom, and the outbox's claim time (the newsletters' rate)."""
    op.create_table('newsletter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('segment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('segment_value', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('unsubscribed_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletter_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_newsletter_sent_at'), ['sent_at'], unique=False)

    op.create_table('newsletter_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('inquiry_id', sa.Integer(), nullable=True),
    sa.Column('consented_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unsubscribed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('inquiry_id'),
    sa.UniqueConstraint('member_id')
    )
    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletter_subscription_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_newsletter_subscription_unsubscribed_at'), ['unsubscribed_at'], unique=False)

    op.create_table('newsletter_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('newsletter_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['newsletter_id'], ['newsletter.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['newsletter_subscription.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('newsletter_id', 'subscription_id')
    )
    with op.batch_alter_table('newsletter_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletter_send_newsletter_id'), ['newsletter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_newsletter_send_subscription_id'), ['subscription_id'], unique=False)

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_mail_claimed_at'), ['claimed_at'], unique=False)


def downgrade() -> None:
    """Remove the newsletters, their subscribers and the outbox's claim time."""
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mail_claimed_at'))
        batch_op.drop_column('claimed_at')

    with op.batch_alter_table('newsletter_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletter_send_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_newsletter_send_newsletter_id'))

    op.drop_table('newsletter_send')
    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletter_subscription_unsubscribed_at'))
        batch_op.drop_index(batch_op.f('ix_newsletter_subscription_region_id'))

    op.drop_table('newsletter_subscription')
    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletter_sent_at'))
        batch_op.drop_index(batch_op.f('ix_newsletter_region_id'))

    op.drop_table('newsletter')
