"""Permanent public ids: agencies (AG-...), outliving licence numbers, and sanctions (SN-...),
opaque where database numbers count up

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
PREFIXES = {"agency": "AG-", "sanction": "SN-"}


def upgrade():
    conn = op.get_bind()
    for name, prefix in PREFIXES.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('public_id', sa.String(length=13), nullable=True))
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('public_id', sa.String))
        given = set()
        for ident in conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars().all():
            public_id = None
            while public_id is None or public_id in given:
                public_id = prefix + "".join(secrets.choice(ALPHABET) for _ in range(10))
            given.add(public_id)
            conn.execute(table.update().where(table.c.id == ident).values(public_id=public_id))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('public_id', existing_type=sa.String(length=13),
                                  nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{name}_public_id'), ['public_id'], unique=True)


def downgrade():
    for name in reversed(PREFIXES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_public_id'))
            batch_op.drop_column('public_id')
