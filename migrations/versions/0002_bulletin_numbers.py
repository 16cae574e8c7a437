"""bulletin numbers: 发文字号 drawn from a per-kind, per-year sequence on publish

Bulletins published before this revision keep the number they were printed with (derived
then from the period: 月通报〔2026〕11号), stored now, without a serial.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:22:49.428831

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

KINDS = {"weekly": "周调度", "monthly": "月通报", "quarterly": "季推进", "annual": "年考评"}


def upgrade():
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('serial', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('number', sa.String(length=80), nullable=False, server_default=''))
        batch_op.create_unique_constraint('uq_bulletins_kind_year_serial', ['kind', 'number_year', 'serial'])
    bulletins = sa.table("bulletins", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                         sa.column("period", sa.String), sa.column("version", sa.Integer),
                         sa.column("status", sa.String), sa.column("number", sa.String))
    connection = op.get_bind()
    for row in connection.execute(sa.select(bulletins).where(bulletins.c.status == "published")):
        ordinal = int(row.period[-2:].lstrip("WQ-") or 1) if row.kind != "annual" else 1
        number = f"{KINDS[row.kind]}〔{row.period[:4]}〕{ordinal}号"
        if row.version > 1:
            number += f"（第{row.version}版）"
        connection.execute(bulletins.update().where(bulletins.c.id == row.id).values(number=number))


def downgrade():
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bulletins_kind_year_serial', type_='unique')
        batch_op.drop_column('number')
        batch_op.drop_column('serial')
        batch_op.drop_column('number_year')
