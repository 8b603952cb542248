"""Complaints counted by category, outcome and currency from an index alone: the dashboard's
one pass over a million complaints reads the index in its order (no table, no sort)

Revision ID: a7d2e9c4b1f3
Revises: e4b7c1d9a2f6
Create Date: 2026-11-29 00:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d2e9c4b1f3'
down_revision = 'e4b7c1d9a2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaint_tally', 'complaint',
                    ['category', 'status', 'compensation_currency', 'compensation_amount'])


def downgrade():
    op.drop_index('ix_complaint_tally', table_name='complaint')
