"""Uploaded spreadsheets kept during the import's mapping step

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 03:55:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the table of uploaded spreadsheets waiting for their mapping."""
    op.create_table('sheet_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('region_slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sheet_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sheet_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_upload_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheet_upload_token_digest'), ['token_digest'], unique=True)
        batch_op.create_index(batch_op.f('ix_sheet_upload_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Remove the table of uploaded spreadsheets."""
    with op.batch_alter_table('sheet_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_upload_user_id'))
        batch_op.drop_index(batch_op.f('ix_sheet_upload_token_digest'))
        batch_op.drop_index(batch_op.f('ix_sheet_upload_expires_at'))

    op.drop_table('sheet_upload')
