"""Agencies record when their public record last changed (Agency.changed_at), for the API's
listing with changed_since; existing rows get the best moment the database still knows

Revision ID: c81f5a3d92e6
Revises: 7d41c2a9e5b3
Create Date: 2026-11-28 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c81f5a3d92e6'
down_revision = '7d41c2a9e5b3'
branch_labels = None
depends_on = None

# The public sanction states of models.PUBLIC_SANCTION_STATES, copied: a migration must not
# change when the code does.
PUBLIC_STATES = ("in_force", "under_appeal", "overturned")


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(), nullable=True))
    conn = op.get_bind()
    agency = sa.table('agency', sa.column('id', sa.Integer),
                      sa.column('updated_at', sa.DateTime), sa.column('changed_at', sa.DateTime))
    sanction = sa.table('sanction', sa.column('agency_id', sa.Integer),
                        sa.column('state', sa.String), sa.column('updated_at', sa.DateTime))
    outbox = sa.table('index_outbox', sa.column('agency_id', sa.Integer),
                      sa.column('created_at', sa.DateTime))
    # Licences, complaints and representatives carry no time of their own; the newest of the
    # agency's own edit, its published sanctions' last change and its last index work (every
    # write queues some) is when its record last changed, or later: listed once too often in a
    # first changed_since, never missed.
    latest = {}
    for query in (
        sa.select(agency.c.id, agency.c.updated_at),
        sa.select(sanction.c.agency_id, sa.func.max(sanction.c.updated_at))
        .where(sanction.c.state.in_(PUBLIC_STATES)).group_by(sanction.c.agency_id),
        sa.select(outbox.c.agency_id, sa.func.max(outbox.c.created_at))
        .group_by(outbox.c.agency_id),
    ):
        for ident, when in conn.execute(query).all():
            if when is not None and (ident not in latest or when > latest[ident]):
                latest[ident] = when
    for ident, when in latest.items():
        conn.execute(agency.update().where(agency.c.id == ident).values(changed_at=when))
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.alter_column('changed_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_agency_changed_at'), ['changed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_changed_at'))
        batch_op.drop_column('changed_at')
