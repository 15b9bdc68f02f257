"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables of regions, sectors, members, programmes, services and their uses."""
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_slug'), ['slug'], unique=True)

    op.create_table('sector',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('naf_codes', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('business_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('siret', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True),
    sa.Column('naf_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('sector_slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('commune', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('origin_area', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('origin_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('arrival_date', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('consent_purpose', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('consent_given_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.ForeignKeyConstraint(['sector_slug'], ['sector.slug'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_sector_slug'), ['sector_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_siret'), ['siret'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_status'), ['status'], unique=False)

    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('launch_year', sa.Integer(), nullable=True),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_id')
    )
    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('delivered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('is_free', sa.Boolean(), nullable=False),
    sa.Column('price_amount', sa.Float(), nullable=True),
    sa.Column('price', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=True),
    sa.Column('plugin', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_id', 'slug')
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_region_id'), ['region_id'], unique=False)

    op.create_table('serviceuse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.Column('advisor', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('serviceuse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_serviceuse_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_serviceuse_service_id'), ['service_id'], unique=False)



def downgrade() -> None:
    """Drop every table of the initial schema."""
    with op.batch_alter_table('serviceuse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_serviceuse_service_id'))
        batch_op.drop_index(batch_op.f('ix_serviceuse_member_id'))

    op.drop_table('serviceuse')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_region_id'))
        batch_op.drop_index(batch_op.f('ix_service_category'))

    op.drop_table('service')
    op.drop_table('programme')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_status'))
        batch_op.drop_index(batch_op.f('ix_member_siret'))
        batch_op.drop_index(batch_op.f('ix_member_sector_slug'))
        batch_op.drop_index(batch_op.f('ix_member_region_id'))
        batch_op.drop_index(batch_op.f('ix_member_email'))

    op.drop_table('member')
    op.drop_table('sector')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_slug'))

    op.drop_table('region')
