"""the overdue list's partial index

`ix_tasks_open_due (due_date, id) WHERE status IN (open statuses)`: a page of the overdue
list in deadline order reads only open items, instead of walking the signed-off items
whose deadlines came first (the (due_date, status) index) or sorting every overdue item
(the (status, due_date) index).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 06:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None

WHERE = "status IN ('not_started', 'in_progress', 'signoff_requested', 'suspended')"


def upgrade():
    op.create_index('ix_tasks_open_due', 'tasks', ['due_date', 'id'],
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade():
    op.drop_index('ix_tasks_open_due', table_name='tasks')
