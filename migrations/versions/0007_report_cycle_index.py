"""progress reports: one index for the reporting cycles, covering what they read

`ix_progress_reports_period_task (period, task_id)` becomes `ix_progress_reports_cycle
(period, task_id, unit_id, submitted_at, on_time)`: counting a period's reports per item
(who sent it, when, on time or not) reads the index alone, in (period, item) order.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 23:40:00

"""
from alembic import op


revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_progress_reports_cycle', 'progress_reports',
                    ['period', 'task_id', 'unit_id', 'submitted_at', 'on_time'], unique=False)
    op.drop_index('ix_progress_reports_period_task', table_name='progress_reports')


def downgrade():
    op.create_index('ix_progress_reports_period_task', 'progress_reports', ['period', 'task_id'], unique=False)
    op.drop_index('ix_progress_reports_cycle', table_name='progress_reports')
