"""Four eyes on every path, an anchored audit log, one-time passwords

Revision ID: 3c9a1f4e7b20
Revises: 95521e769088
Create Date: 2026-11-28 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9a1f4e7b20'
down_revision = '95521e769088'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('editors', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('import_batch', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_sanction_import_batch'), ['import_batch'],
                              unique=False)
    # Whoever drafted a sanction is its first editor.
    sanction = sa.table('sanction', sa.column('id', sa.Integer), sa.column('drafted_by', sa.String),
                        sa.column('editors', sa.JSON))
    conn = op.get_bind()
    for row in conn.execute(sa.select(sanction.c.id, sanction.c.drafted_by)).all():
        conn.execute(sanction.update().where(sanction.c.id == row.id)
                     .values(editors=[row.drafted_by] if row.drafted_by else []))
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.alter_column('editors', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    # The position of each entry in the audit chain, in the order it was written.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    entry = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('seq', sa.Integer))
    ids = conn.execute(sa.select(entry.c.id).order_by(entry.c.id)).scalars().all()
    for position, ident in enumerate(ids, start=1):
        conn.execute(entry.update().where(entry.c.id == ident).values(seq=position))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_seq'), ['seq'])


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entry_seq'), type_='unique')
        batch_op.drop_column('seq')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanction_import_batch'))
        batch_op.drop_column('import_batch')
        batch_op.drop_column('editors')
