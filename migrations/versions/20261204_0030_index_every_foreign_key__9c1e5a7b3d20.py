"""index the six foreign keys that had none

Without an index, deleting or re-keying the referenced row (a worker, a lecturer, a pledge
template) scans the whole referencing table, and joins from the referenced side (a worker's
check-in attempts, a pledge's renewals) read every row. Every other foreign key has one.

Revision ID: 9c1e5a7b3d20
Revises: e4b7c2a19f53
Create Date: 2026-12-04 00:30:00
"""
from alembic import op


revision = '9c1e5a7b3d20'
down_revision = 'e4b7c2a19f53'
branch_labels = None
depends_on = None

#: (table, column): the index is named by the metadata's convention, ix_<table>_<column>.
FOREIGN_KEYS = (
    ("cb_check_in_attempt", "worker_id"),
    ("cb_child_consent", "guardian_worker_id"),
    ("cb_entrustment_agreement", "other_parent_worker_id"),
    ("cb_lecture_session_lecturer", "lecturer_id"),
    ("cb_pledge", "template_id"),
    ("cb_pledge", "renews_id"),
)


def upgrade():
    for table, column in FOREIGN_KEYS:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column in FOREIGN_KEYS:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
