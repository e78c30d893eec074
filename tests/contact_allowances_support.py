"""Policies, grants and carrier result files for the allowance tests (the ``clock`` fixture's
today is 2026-11-22: policies may start in November 2026 or later)."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from plugin.core.db import session
from plugin.family_contact import grants, policies
from plugin.family_contact.models import AllowanceGrant, Eligibility

from .conftest import SYSTEM

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def policy_input(**overrides) -> policies.PolicyInput:
    values = dict(eligibility=Eligibility.LEFT_BEHIND_PARENTS, minutes_per_month=300,
                  data_mb_per_month=1024, carrier="china_mobile", minute_cost_fen=10,
                  mb_cost_fen=2, starts_on=NOV, prorate_joiners=False, suspended=False)
    values.update(overrides)
    return policies.PolicyInput(**values)


def add_policy(unit, **overrides):
    return policies.add_policy_version(unit, policy_input(**overrides), SYSTEM)


def grant(today: date = date(2026, 11, 2)) -> dict[int, AllowanceGrant]:
    """Run the month's grants; the month's grants by worker id."""
    grants.grant_month(today, SYSTEM)
    session.expire_all()
    month = today.replace(day=1)
    return {each.worker_id: each for each in session.scalars(
        select(AllowanceGrant).where(AllowanceGrant.month == month))}


def mobile_results(rows, header=("手机号码", "通话分钟", "流量MB", "业务流水号", "处理结果",
                                 "失败原因"), *, encoding="utf-8-sig") -> bytes:
    """China Mobile's result CSV: ``rows`` of (line id, status, reason)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for line_id, status, reason in rows:
        writer.writerow(["13900000000", 300, 1024, line_id, status, reason or ""])
    return out.getvalue().encode(encoding)


def unicom_results(rows) -> bytes:
    """China Unicom's result workbook, a title row above the header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["联通企业账户批量赠送受理结果"])
    sheet.append(["用户号码", "赠送语音(分钟)", "赠送流量(MB)", "订单编号", "账期", "受理状态",
                  "失败原因"])
    for line_id, status, reason in rows:
        sheet.append(["13900000000", 300, 1024, line_id, "202611", status, reason])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
