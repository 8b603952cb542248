"""Head-office address keys stored and indexed (issue 10): resurfacing finds agencies sharing
an address by a join, not by keying every agency's addresses again after each change

Revision ID: 5e2c8a0f4d17
Revises: a7d2e9c4b1f3
Create Date: 2026-11-29 03:10:00

"""
from alembic import op
import sqlalchemy as sa

# The rule itself, not a copy: the keys must be the ones the application writes. A change to
# normalise.address_key needs a migration that keys the addresses again.
from registry.normalise import address_digests


# revision identifiers, used by Alembic.
revision = '5e2c8a0f4d17'
down_revision = 'a7d2e9c4b1f3'
branch_labels = None
depends_on = None

LANGS = ("en", "km", "my")
#: Agencies read and keyed per statement: a national registry's 100,000 in a few seconds,
#: in little memory.
BATCH = 5000


def upgrade():
    op.create_table('address_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'],
                            name=op.f('fk_address_key_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_key'))
    )
    conn = op.get_bind()
    agency = sa.table('agency', sa.column('id', sa.Integer),
                      *(sa.column(f'address_{lang}', sa.Text) for lang in LANGS))
    address_key = sa.table('address_key', sa.column('agency_id', sa.Integer),
                           sa.column('lang', sa.String), sa.column('key', sa.String))
    after = 0
    while True:
        rows = conn.execute(sa.select(agency).where(agency.c.id > after)
                            .order_by(agency.c.id).limit(BATCH)).all()
        if not rows:
            break
        keys = [{"agency_id": row.id, "lang": lang, "key": key}
                for row in rows for key, lang in address_digests(
                    (lang, getattr(row, f'address_{lang}')) for lang in LANGS).items()]
        if keys:
            conn.execute(address_key.insert(), keys)
        after = rows[-1].id
    # Built after the rows are in: one sort, not 100,000 index insertions.
    with op.batch_alter_table('address_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_key_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_key_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('address_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_key_key'))
        batch_op.drop_index(batch_op.f('ix_address_key_agency_id'))
    op.drop_table('address_key')
