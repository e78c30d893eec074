"""guardianship: one open agreement per child and period, kept by the database

Forty simultaneous posts of the same agreement left up to five open (pending or active)
agreements for one child and period: the service looked for a clash, then inserted, and nothing
stopped two requests between the two. The rows of ``cb_entrustment_child`` now copy their
agreement's status and period (a foreign key over the copies, ``ON UPDATE CASCADE``, keeps them
current), and the database refuses an overlapping open row: on PostgreSQL an exclusion
constraint (``btree_gist``, which a database owner may create on PostgreSQL 13 and later), on
SQLite two triggers (SQLite has one writer at a time, so a trigger's check cannot race).

Open agreements that already overlap an earlier one for the same child (made by that race) are
revoked first, keeping an active one before a pending one and then the oldest; each revocation is
written to the audit log (``agreement.revoked``, reason ``duplicate``).

Revision ID: e4b7c2a19f53
Revises: 3f8689c29545
Create Date: 2026-12-03 23:30:00
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = 'e4b7c2a19f53'
down_revision = '3f8689c29545'
branch_labels = None
depends_on = None

OPEN = ("pending", "active")
RULE = "ex_cb_entrustment_child_open_period"
FK = "fk_cb_entrustment_child_agreement_id_cb_entrustment_agreement"
TARGET = "uq_cb_entrustment_agreement_id_status_starts_on_ends_on"
OVERLAPPING_OPEN_ROW = """
    SELECT RAISE(ABORT, '{rule}') WHERE NEW.status IN ('pending', 'active') AND EXISTS (
        SELECT 1 FROM cb_entrustment_child AS other
        WHERE other.child_id = NEW.child_id AND {not_itself}
          AND other.status IN ('pending', 'active')
          AND other.starts_on <= NEW.ends_on AND NEW.starts_on <= other.ends_on);"""
TRIGGERS = {
    "tr_cb_entrustment_child_open_period_insert": (
        "BEFORE INSERT ON cb_entrustment_child BEGIN" + OVERLAPPING_OPEN_ROW.format(
            rule=RULE, not_itself="other.agreement_id <> NEW.agreement_id") + "\nEND"),
    "tr_cb_entrustment_child_open_period_update": (
        "BEFORE UPDATE OF child_id, status, starts_on, ends_on ON cb_entrustment_child BEGIN"
        + OVERLAPPING_OPEN_ROW.format(
            rule=RULE,
            not_itself="NOT (other.agreement_id = OLD.agreement_id AND other.child_id = OLD.child_id)")
        + "\nEND"),
}

agreement = sa.table(
    "cb_entrustment_agreement", sa.column("id", sa.Integer), sa.column("worker_id", sa.Integer),
    sa.column("status", sa.String), sa.column("starts_on", sa.Date), sa.column("ends_on", sa.Date),
    sa.column("closed_on", sa.Date), sa.column("closed_by", sa.String))
entrusted = sa.table("cb_entrustment_child", sa.column("agreement_id", sa.Integer),
                     sa.column("child_id", sa.Integer), sa.column("status", sa.String),
                     sa.column("starts_on", sa.Date), sa.column("ends_on", sa.Date))
worker = sa.table("cb_worker", sa.column("id", sa.Integer), sa.column("org_unit_id", sa.Integer))
audit = sa.table(
    "cb_audit_event", sa.column("occurred_at", sa.DateTime), sa.column("action", sa.String),
    sa.column("actor_key", sa.String), sa.column("actor_name", sa.String),
    sa.column("target_type", sa.String), sa.column("target_id", sa.String),
    sa.column("org_unit_id", sa.Integer), sa.column("details", sa.JSON))


def _dialect() -> str:
    return op.get_context().dialect.name


def _revoke_overlapping_duplicates() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(agreement.c.id, agreement.c.status, agreement.c.starts_on, agreement.c.ends_on,
                  worker.c.org_unit_id, entrusted.c.child_id)
        .join(entrusted, entrusted.c.agreement_id == agreement.c.id)
        .join(worker, worker.c.id == agreement.c.worker_id)
        .where(agreement.c.status.in_(OPEN))
        .order_by(sa.case((agreement.c.status == "active", 0), else_=1), agreement.c.id)).all()
    agreements: dict[int, dict] = {}
    for row in rows:
        entry = agreements.setdefault(row.id, {"period": (row.starts_on, row.ends_on),
                                               "unit": row.org_unit_id, "children": []})
        entry["children"].append(row.child_id)
    kept: dict[int, list[tuple[int, tuple]]] = {}  # child → (agreement, period) kept open
    now = datetime.now(timezone.utc)
    for agreement_id, entry in agreements.items():  # active first, then oldest first
        starts_on, ends_on = entry["period"]
        clash = next((other for child in entry["children"] for other, (start, end) in kept.get(child, [])
                      if start <= ends_on and starts_on <= end), None)
        if clash is None:
            for child in entry["children"]:
                kept.setdefault(child, []).append((agreement_id, entry["period"]))
            continue
        connection.execute(agreement.update().where(agreement.c.id == agreement_id).values(
            status="revoked", closed_on=now.date(), closed_by="system:migration"))
        connection.execute(audit.insert().values(
            occurred_at=now.replace(tzinfo=None) if _dialect() == "sqlite" else now,
            action="agreement.revoked", actor_key="system:migration", actor_name="migration",
            target_type="agreement", target_id=str(agreement_id), org_unit_id=entry["unit"],
            details={"reason": "duplicate", "kept": clash}))


def upgrade():
    _revoke_overlapping_duplicates()
    with op.batch_alter_table('cb_entrustment_agreement', schema=None) as batch_op:
        batch_op.create_index(TARGET, ['id', 'status', 'starts_on', 'ends_on'], unique=True)
    with op.batch_alter_table('cb_entrustment_child', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum(
            'pending', 'active', 'ended', 'revoked', name='agreementstatus', native_enum=False,
            length=16), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
    op.execute(entrusted.update().values({
        name: sa.select(agreement.c[name]).where(agreement.c.id == entrusted.c.agreement_id)
        .scalar_subquery() for name in ("status", "starts_on", "ends_on")}))
    with op.batch_alter_table('cb_entrustment_child', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('starts_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('ends_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.create_foreign_key(
            FK, 'cb_entrustment_agreement', ['agreement_id', 'status', 'starts_on', 'ends_on'],
            ['id', 'status', 'starts_on', 'ends_on'], onupdate='CASCADE', ondelete='CASCADE')
        batch_op.create_index('ix_cb_entrustment_child_agreement_id',
                              ['agreement_id', 'status', 'starts_on', 'ends_on'], unique=False)
    if _dialect() == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(f"ALTER TABLE cb_entrustment_child ADD CONSTRAINT {RULE} EXCLUDE USING gist "
                   "(child_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) "
                   "WHERE (status IN ('pending', 'active'))")
    elif _dialect() == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if _dialect() == "postgresql":
        op.execute(f"ALTER TABLE cb_entrustment_child DROP CONSTRAINT {RULE}")
    elif _dialect() == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('cb_entrustment_child', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_entrustment_child_agreement_id')
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.create_foreign_key(FK, 'cb_entrustment_agreement', ['agreement_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')
        batch_op.drop_column('status')
    with op.batch_alter_table('cb_entrustment_agreement', schema=None) as batch_op:
        batch_op.drop_index(TARGET)
