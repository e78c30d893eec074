"""reports: the foreign key from a draft to its filing on PostgreSQL

Migration a90af4424380 declared it ``use_alter``, which Alembic's ``create_table`` leaves out on
PostgreSQL (SQLite got it inline); a draft's ``filing_id`` must name a filing there too.

Revision ID: b3d1f0c2e7a9
Revises: ce260d704c34
Create Date: 2026-12-04 18:05:00
"""
from alembic import op

revision = 'b3d1f0c2e7a9'
down_revision = 'ce260d704c34'
branch_labels = None
depends_on = None

NAME = "fk_cb_report_draft_filing_id_cb_report_filing"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(NAME, "cb_report_draft", "cb_report_filing", ["filing_id"], ["id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(NAME, "cb_report_draft", type_="foreignkey")
