"""the problem ledger's category-and-age index

`ix_problems_category_first (category, first_reported_at, id)`: a bulletin's 存在问题 names
each category's oldest open problems, read oldest first from this index and stopped as
soon as it has them, instead of sorting every open problem.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:30:00

"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_problems_category_first', 'problems', ['category', 'first_reported_at', 'id'])


def downgrade():
    op.drop_index('ix_problems_category_first', table_name='problems')
