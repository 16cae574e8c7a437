"""calendar feeds: each user's secret iCal subscription link (its hash), revocable

Revision ID: 0008
Revises: 0013
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0008'
# Chained after main's 0013 (placing records), which follows 0006.
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=8), nullable=False),
        sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', tracker.models.types.UTCDateTime(), nullable=True),
        sa.Column('revoked_at', tracker.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_calendar_feeds_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_user_id'))
    op.drop_table('calendar_feeds')
