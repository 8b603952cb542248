"""Ad clearances: the ministry's approvals of recruitment advertisements, which broadcasters
check before airing them

Revision ID: e4b7c1d9a2f6
Revises: c81f5a3d92e6
Create Date: 2026-11-28 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c1d9a2f6'
down_revision = 'c81f5a3d92e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clearance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('number_key', sa.String(length=64), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('job_title', sa.String(length=300), nullable=False),
        sa.Column('destination', sa.String(length=2), nullable=False),
        sa.Column('workers', sa.Integer(), nullable=True),
        sa.Column('worker_fee', sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column('fee_currency', sa.String(length=3), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('media', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('drafted_by', sa.String(length=254), nullable=False),
        sa.Column('editors', sa.JSON(), nullable=False),
        sa.Column('approved_by', sa.String(length=254), nullable=False),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number_key'),
    )
    with op.batch_alter_table('clearance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearance_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clearance_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('clearance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearance_state'))
        batch_op.drop_index(batch_op.f('ix_clearance_agency_id'))
    op.drop_table('clearance')
