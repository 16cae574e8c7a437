"""form nonces: one-time tokens that make recording forms idempotent

A form that records something (a dispatch meeting, a score adjustment, an API token)
carries a nonce; the primary key takes each once, so a double submit records once.
(Follows main's 0008 after merging main; written to follow 0006.)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:45:00

"""
import sqlalchemy as sa
from alembic import op

import tracker.models.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_nonces',
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('used_at', tracker.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_nonces_user_id_users')),
        sa.PrimaryKeyConstraint('nonce', name=op.f('pk_form_nonces')))
    with op.batch_alter_table('form_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_nonces_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_nonces_user_id'))
    op.drop_table('form_nonces')
