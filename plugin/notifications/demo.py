"""Notices for the demo company's accounts (``carebridge seed-demo``): a welcome saying what the
demo is and how to start over, and an older notice already read. The features loaded after this
one notify the accounts as they would in production (a lecture moved or cancelled, pledges about
to lapse)."""
from __future__ import annotations

from ..core.features import DemoContext
from ..core.i18n import N_
from .services import mark_read, notify


def load(context: DemoContext) -> None:
    keys = [actor.key for actor in context.accounts.values()] or [context.actor.key]
    company = next((unit.name for unit in context.units.values() if unit.parent_id is None), "")
    notify(keys, N_("欢迎体验演示公司“%(company)s”"),
           body=N_("这里的职工、儿童、宣讲、承诺书和协议都是演示数据，可以随意查看和修改。"
                   "要重新开始：删除数据库后再运行 carebridge seed-demo"
                   "（见 README“Demo company”）。"),
           params={"company": company}, category="demo.welcome")
    for notice in notify(keys, N_("本周关爱工作提示"),
                         body=N_("请关注“推定待核实”中的儿童档案，并提醒尚未签署监护承诺书的职工。"),
                         link=("carebridge.notifications.index", {}), category="demo.tips"):
        mark_read(notice.recipient_key, notice.id)
