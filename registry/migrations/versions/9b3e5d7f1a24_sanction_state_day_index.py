"""Sanctions counted per day from an index alone: the dashboard's sanctions per month read
the published states' days in the index's order, not every sanction's row (120 ms at 100,000
agencies, recounted after every change to a sanction)

Revision ID: 9b3e5d7f1a24
Revises: 5e2c8a0f4d17
Create Date: 2026-11-29 17:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b3e5d7f1a24'
down_revision = '5e2c8a0f4d17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_sanction_state_day', 'sanction', ['state', 'decided_on'])


def downgrade():
    op.drop_index('ix_sanction_state_day', table_name='sanction')
