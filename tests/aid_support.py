"""Funds, applications and approvers for the hardship-aid tests.

Everything goes through the real services (:mod:`plugin.aid.services`, :mod:`plugin.aid.ledger`),
so records are valid, audited and held by the ledger exactly as in production::

    fund = make_fund(company, 500_000)                  # ¥5,000 of unrestricted money
    application = file_application(worker)              # ¥1,000 one-off, from the phone
    people = Approvers.make(make_user, site)            # a site manager, a union officer, an admin
    approve_all(application, people, fund=fund)         # through every step of its chain

The pages' tests share helpers that submit the officers' forms (:func:`apply_on_behalf`,
:func:`decide_on_page`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.aid import ledger, rules, services
from plugin.aid.models import (
    UNRESTRICTED,
    AidApplication,
    AidFund,
    AidReason,
    DecisionOutcome,
    EntryKind,
    FundKind,
    HelpKind,
    PaymentMethod,
)
from plugin.aid.services import ApplicationInput
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.worker_access.services import worker_actor

from .conftest import SYSTEM, csrf_token

#: The ``clock`` fixture's today (2026-11-22, Shanghai).
TODAY = date(2026, 11, 22)
#: The account number of :func:`application_input` (and of the forms the helpers submit).
ACCOUNT = "6228480012345678901"
#: A real (tiny) PDF and PNG for evidence uploads.
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    """A 2×2 PNG that opens (the upload check opens images)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def actor_of(user) -> Actor:
    """A portal user as the services' actor."""
    return Actor(key=user.key, name=user.display_name)


def make_fund(unit, income_fen: int = 1_000_000, *, name: str = "专项基金",
              kind: FundKind = FundKind.SPECIAL, purpose: str = UNRESTRICTED,
              actor: Actor = SYSTEM) -> AidFund:
    """A fund of ``unit`` with ``income_fen`` allocated to it (none when 0)."""
    fund = AidFund(org_unit_id=unit.id, name=name, kind=kind, created_by=actor.key,
                   keeper="工会财务")
    session.add(fund)
    session.flush()
    if income_fen:
        ledger.receive(fund, EntryKind.ALLOCATION, income_fen, booked_on=TODAY, actor=actor,
                       purpose=purpose, note="年度拨款")
    session.flush()
    return fund


def application_input(**overrides) -> ApplicationInput:
    """¥1,000 one-off cash for an illness, paid to a bank account; ``overrides`` by field."""
    values = dict(reason=AidReason.ILLNESS, circumstances="孩子住院治疗，家里拿不出医药费。",
                  help_kind=HelpKind.CASH, amount_fen=100_000,
                  payment_method=PaymentMethod.BANK, account_holder="赵铁柱",
                  bank_name="农业银行南充支行", account_number=ACCOUNT)
    values.update(overrides)
    return ApplicationInput(**values)


def file_application(worker, *, by: Actor | None = None, **overrides) -> AidApplication:
    """``worker``'s application, filed on their phone (or by ``by`` on their behalf)."""
    actor = by or worker_actor(worker)
    application = services.apply(worker, application_input(**overrides), actor)
    session.flush()
    return application


@dataclass
class Approvers:
    """One user of each role a default chain needs."""

    site_manager: object
    union_officer: object
    admin: object

    @classmethod
    def make(cls, make_user, site, *, union_unit=None) -> Approvers:
        """A site manager of ``site``, a union officer of ``union_unit`` (default ``site``) and a
        company-wide administrator."""
        return cls(site_manager=make_user(Role.SITE_MANAGER, site, name="钱经理"),
                   union_officer=make_user(Role.UNION_OFFICER, union_unit or site,
                                           name="孙干事"),
                   admin=make_user(Role.ADMIN, name="李总"))

    def for_step(self, step: rules.ChainStep):
        return {Role.SITE_MANAGER.value: self.site_manager,
                Role.UNION_OFFICER.value: self.union_officer}.get(step.role, self.admin)


def decide_step(application: AidApplication, user, outcome=DecisionOutcome.APPROVED, *,
                comment: str | None = None, fund: AidFund | None = None):
    """``user`` decides the application's current step."""
    return services.decide(application, actor_of(user), outcome, step=application.current_step,
                           comment=comment, fund=fund)


def approve_all(application: AidApplication, people: Approvers, *,
                fund: AidFund | None = None, steps: int | None = None) -> AidApplication:
    """Approve the current step and the ones after it (``steps`` of them, or all), each by the
    person of its role; the last by the admin with ``fund`` when it is cash."""
    chain = rules.chain_of(application)
    remaining = len(chain) - application.current_step if steps is None else steps
    for _ in range(remaining):
        step = chain[application.current_step]
        last = application.current_step == len(chain) - 1
        decide_step(application, people.for_step(step), fund=fund if last else None)
    session.flush()
    return application


def approved_application(worker, people: Approvers, fund: AidFund, **overrides):
    """An application of ``worker`` approved through its whole chain, paid from ``fund``."""
    return approve_all(file_application(worker, **overrides), people, fund=fund)


# -- for the pages' tests ----------------------------------------------------------------------

def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def audited(action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == action))


def apply_on_behalf(client, worker, *, files=(), **fields):
    """An officer's application for ``worker``'s family through the form (¥3,000 cash for an
    illness, to a bank account); ``files``: (stream, name, content type) of evidence."""
    url = f"/aid/workers/{worker.id}/apply"
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "reason": "illness",
            "circumstances": "孩子住院治疗，家里拿不出医药费。", "help_kind": "cash",
            "amount": "3000", "payment_method": "bank", "account_holder": "赵铁柱",
            "bank_name": "农业银行南充支行", "account_number": ACCOUNT, **fields}
    data["evidence"] = list(files)
    return client.post(url, data=data, content_type="multipart/form-data")


def decide_on_page(client, application, outcome: str, *, comment: str = "", fund=None,
                   step=None):
    """Press a decision button (``approved``, ``rejected``, ``sent_back``) on the application's
    page, for the step it shows (or ``step``)."""
    url = f"/aid/applications/{application.id}"
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.text), "decision-outcome": outcome,
            "decision-step": str(application.current_step if step is None else step),
            "decision-comment": comment}
    if fund is not None:
        data["decision-fund"] = str(fund.id)
    return client.post(f"{url}/decide", data=data)
