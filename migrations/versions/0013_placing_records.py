"""placing records, and the report cycles' index led by the item

`placing_records`: red/black placings of past days, kept once counted.

A placing as of a day that is over cannot change (every fact it counts carries the time it
was recorded), so the escalation's look-back and the evaluation's monthly placings read it
instead of counting the past again. Derived data, keyed by the rules' fingerprint.

`ix_progress_reports_task_cycle (task_id, unit_id, period, submitted_at, on_time)`: the
columns of `ix_progress_reports_cycle` led by the item, so the reports an owing item has
for a run of periods are one range of the index.

Revision ID: 0013
Revises: 0006
Create Date: 2026-12-02 02:45:00

"""
import sqlalchemy as sa
from alembic import op

from tracker.models.types import UTCDateTime

revision = '0013'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'placing_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('red', sa.JSON(), nullable=False),
        sa.Column('black', sa.JSON(), nullable=False),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_placing_records')),
        sa.UniqueConstraint('day', 'fingerprint', name='uq_placing_records_day_fingerprint'),
    )
    op.create_index('ix_progress_reports_task_cycle', 'progress_reports',
                    ['task_id', 'unit_id', 'period', 'submitted_at', 'on_time'], unique=False)


def downgrade():
    op.drop_index('ix_progress_reports_task_cycle', table_name='progress_reports')
    op.drop_table('placing_records')
