"""Public sanction ids (SN-...), opaque where database numbers count up

Revision ID: 9b2e6f1c4a70
Revises: 7d41c2a9e5b3
Create Date: 2026-11-28 16:45:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b2e6f1c4a70'
down_revision = '7d41c2a9e5b3'
branch_labels = None
depends_on = None

# The alphabet of models.new_sanction_id, copied: a migration must not change when the code does.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def upgrade():
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=13), nullable=True))
    sanction = sa.table('sanction', sa.column('id', sa.Integer),
                        sa.column('public_id', sa.String))
    conn = op.get_bind()
    given = set()
    for ident in conn.execute(sa.select(sanction.c.id).order_by(sanction.c.id)).scalars().all():
        public_id = None
        while public_id is None or public_id in given:
            public_id = "SN-" + "".join(secrets.choice(ALPHABET) for _ in range(10))
        given.add(public_id)
        conn.execute(sanction.update().where(sanction.c.id == ident).values(public_id=public_id))
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=13), nullable=False)
        batch_op.create_index(batch_op.f('ix_sanction_public_id'), ['public_id'], unique=True)


def downgrade():
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanction_public_id'))
        batch_op.drop_column('public_id')
