"""Permanent public agency ids (AG-...), outliving licence numbers

Revision ID: 7d41c2a9e5b3
Revises: 3c9a1f4e7b20
Create Date: 2026-11-28 16:20:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d41c2a9e5b3'
down_revision = '3c9a1f4e7b20'
branch_labels = None
depends_on = None

# The alphabet of models.new_agency_id, copied: a migration must not change when the code does.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=13), nullable=True))
    agency = sa.table('agency', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    conn = op.get_bind()
    given = set()
    for ident in conn.execute(sa.select(agency.c.id).order_by(agency.c.id)).scalars().all():
        public_id = None
        while public_id is None or public_id in given:
            public_id = "AG-" + "".join(secrets.choice(ALPHABET) for _ in range(10))
        given.add(public_id)
        conn.execute(agency.update().where(agency.c.id == ident).values(public_id=public_id))
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=13), nullable=False)
        batch_op.create_index(batch_op.f('ix_agency_public_id'), ['public_id'], unique=True)


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_public_id'))
        batch_op.drop_column('public_id')
