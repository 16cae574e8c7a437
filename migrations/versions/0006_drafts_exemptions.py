"""drafts and exemptions: the office's edits and confirmed escalations kept with a bulletin
draft; the office's exemptions (豁免) of items from the red/black list and overdue judgements

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edits', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
        batch_op.add_column(sa.Column('escalations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    op.create_table('exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', tracker.models.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exemptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_exemptions_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_exemptions_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemptions'))
    )
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.create_index('ix_exemptions_task_start', ['task_id', 'start_date'], unique=False)


def downgrade():
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_exemptions_task_start')
    op.drop_table('exemptions')
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_column('escalations')
        batch_op.drop_column('edits')
