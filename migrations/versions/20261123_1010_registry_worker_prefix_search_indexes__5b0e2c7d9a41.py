"""registry: the worker list's prefix searches served by an index on PostgreSQL

``LIKE 'term%'`` cannot use a plain B-tree index under a linguistic collation, so on PostgreSQL
a search by phone, pinyin initials or employee number read every worker (180 ms at a million).
The phone and initials indexes are rebuilt with ``varchar_pattern_ops`` (which still serves
equality) and the employee number gets one next to its unique constraint. SQLite searches by
range, which its plain indexes serve: nothing changes there.

Revision ID: 5b0e2c7d9a41
Revises: cd3f082a7c14
Create Date: 2026-11-23 10:10:00
"""
from alembic import op


revision = '5b0e2c7d9a41'
down_revision = 'cd3f082a7c14'
branch_labels = None
depends_on = None

REBUILT = ("name_initials", "phone")


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    if not _on_postgresql():
        return
    for column in REBUILT:
        op.drop_index(f"ix_cb_worker_{column}", table_name="cb_worker")
        op.create_index(f"ix_cb_worker_{column}", "cb_worker", [column],
                        postgresql_ops={column: "varchar_pattern_ops"})
    op.create_index("ix_cb_worker_employee_number_prefix", "cb_worker", ["employee_number"],
                    postgresql_ops={"employee_number": "varchar_pattern_ops"})


def downgrade():
    if not _on_postgresql():
        return
    op.drop_index("ix_cb_worker_employee_number_prefix", table_name="cb_worker")
    for column in REBUILT:
        op.drop_index(f"ix_cb_worker_{column}", table_name="cb_worker")
        op.create_index(f"ix_cb_worker_{column}", "cb_worker", [column])
