"""foresight: per-item completion forecasts and the problem ledger (问题清单)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:55:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_forecasts',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('projected_date', sa.Date(), nullable=True),
    sa.Column('confidence', sa.String(length=10), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('slope', sa.Float(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('late_by_workdays', sa.Integer(), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('computed_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_forecasts_task_id_tasks'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_task_forecasts'))
    )
    with op.batch_alter_table('task_forecasts', schema=None) as batch_op:
        batch_op.create_index('ix_task_forecasts_late', ['is_late', 'due_date'], unique=False)

    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('is_classified', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('coordinator_unit_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('times_reported', sa.Integer(), nullable=False),
    sa.Column('last_report_id', sa.Integer(), nullable=True),
    sa.Column('first_reported_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('last_reported_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', tracker.models.types.UTCDateTime(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_unit_id'], ['units.id'],
                            name=op.f('fk_problems_coordinator_unit_id_units')),
    sa.ForeignKeyConstraint(['last_report_id'], ['progress_reports.id'],
                            name=op.f('fk_problems_last_report_id_progress_reports')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_problems_task_id_tasks'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_problems_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('task_id', 'key', name='uq_problems_task_key')
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index('ix_problems_coordinator', ['coordinator_unit_id', 'status'], unique=False)
        batch_op.create_index('ix_problems_status_category', ['status', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_problems_task_id'), ['task_id'], unique=False)

    op.create_table('problem_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'],
                            name=op.f('fk_problem_notes_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_problem_notes_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_problem_notes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_notes'))
    )
    with op.batch_alter_table('problem_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_notes_problem_id'), ['problem_id'], unique=False)


def downgrade():
    with op.batch_alter_table('problem_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_notes_problem_id'))
    op.drop_table('problem_notes')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_task_id'))
        batch_op.drop_index('ix_problems_status_category')
        batch_op.drop_index('ix_problems_coordinator')
    op.drop_table('problems')
    with op.batch_alter_table('task_forecasts', schema=None) as batch_op:
        batch_op.drop_index('ix_task_forecasts_late')
    op.drop_table('task_forecasts')
