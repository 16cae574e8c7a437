"""units.sort_order: the order pickers and lists show units in, seeded by kind (office,
专班, departments, counties, towns, other), then by the order the units were entered

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

# The kinds' places, as tracker.accounts.ordering.KIND_BASE seeds new units.
KIND_RANK = ("office", "taskforce", "department", "county", "town", "other")


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_units_sort_order'), ['sort_order'], unique=False)
    rank = " ".join(f"WHEN '{kind}' THEN {n}" for n, kind in enumerate(KIND_RANK))
    # A kind's units in steps of 10 from the kind's base (1000 apart), in the order entered.
    op.execute(sa.text(
        "UPDATE units SET sort_order = (SELECT ranked.position FROM ("
        f"  SELECT id, (CASE kind {rank} ELSE {len(KIND_RANK) - 1} END) * 1000"
        "    + 10 * ROW_NUMBER() OVER (PARTITION BY kind ORDER BY id) AS position FROM units"
        ") AS ranked WHERE ranked.id = units.id)"))


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_sort_order'))
        batch_op.drop_column('sort_order')
