"""unit notices: what a unit was told, in Duban (站内通知), and the office's 催办 (at most one
per item, unit and day)

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01 23:27:19.464543

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('chased_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chased_by_id'], ['users.id'], name=op.f('fk_chases_chased_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_chases_task_id_tasks')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_chases_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chases')),
    sa.UniqueConstraint('task_id', 'unit_id', 'day', name='uq_chases_task_unit_day')
    )
    with op.batch_alter_table('chases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chases_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('task_ids', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('read_at', tracker.models.types.UTCDateTime(), nullable=True),
    sa.Column('read_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['read_by_id'], ['users.id'], name=op.f('fk_unit_notices_read_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_notices_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_notices')),
    sa.UniqueConstraint('rule', 'subject', 'period', 'unit_id', name='uq_unit_notices_key')
    )
    with op.batch_alter_table('unit_notices', schema=None) as batch_op:
        batch_op.create_index('ix_unit_notices_unit_created', ['unit_id', 'created_at'], unique=False)
        batch_op.create_index('ix_unit_notices_unit_read', ['unit_id', 'read_at'], unique=False)



def downgrade():
    with op.batch_alter_table('unit_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_notices_unit_read')
        batch_op.drop_index('ix_unit_notices_unit_created')

    op.drop_table('unit_notices')
    with op.batch_alter_table('chases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chases_unit_id'))

    op.drop_table('chases')
