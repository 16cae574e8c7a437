"""hardening: one pending request per item and kind, session epochs, atomic login throttle

- signoff_requests / extension_requests: a partial unique index on task_id WHERE status =
  'pending'. Duplicates a race left behind are settled first: the oldest pending request of
  an item stays pending, later ones are marked rejected with a note (system clean-up).
- users.session_epoch: a session carries the epoch it began in; raising it ends them all.
- login_throttles replaces login_failures: one counter row per login and per address.
- Dates accepted before input was bounded (a deadline of 9999-12-31 broke every page that
  counts working days to it) are brought within 2000-01-01 … 2099-12-31, the default bounds.

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-01 23:40:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa

import tracker.models.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0004'
# Chained after main's 0005 (unit notices), which follows 0007, which follows 0003.
down_revision = '0005'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
DUPLICATE = "重复的待审核申请，升级时由系统关闭 (duplicate pending request closed on upgrade)"
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DATE_COLUMNS = {"tasks": ("start_date", "due_date"), "milestones": ("due_date",),
                "task_states": ("due_date",), "extension_requests": ("old_due_date", "new_due_date")}


def upgrade():
    for table, columns in DATE_COLUMNS.items():
        for column in columns:
            op.execute(sa.text(f"UPDATE {table} SET {column} = :last WHERE {column} > :last")
                       .bindparams(last=LAST_DAY))
            op.execute(sa.text(f"UPDATE {table} SET {column} = :first WHERE {column} < :first")
                       .bindparams(first=FIRST_DAY))
    for table, reason in (("signoff_requests", "reason"), ("extension_requests", "decision_reason")):
        op.execute(
            f"UPDATE {table} SET status = 'rejected', {reason} = '{DUPLICATE}' "
            f"WHERE status = 'pending' AND id NOT IN "
            f"(SELECT keep FROM (SELECT min(id) AS keep FROM {table} WHERE status = 'pending' "
            f"GROUP BY task_id) AS oldest)")
        op.create_index(f"uq_{table}_pending", table, ["task_id"], unique=True,
                        sqlite_where=PENDING, postgresql_where=PENDING)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('window_start', tracker.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_address_at')
        batch_op.drop_index('ix_login_failures_login_at')
    op.drop_table('login_failures')


def downgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', tracker.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_login_at', ['login', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_address_at', ['address', 'at'], unique=False)
    op.drop_table('login_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    for table in ("signoff_requests", "extension_requests"):
        op.drop_index(f"uq_{table}_pending", table_name=table)
