"""Hardship aid of the demo company (``carebridge seed-demo``), made through the services: a
special fund with the company's allocation and donations (one given for schooling only), the
union's fund, applications at each step of their chains (waiting for the site, the union and the
company, sent back, approved and waiting for payment, paid, rejected, in kind), a monthly case
already paying, pairings with their visits and calls, and union visits."""
from __future__ import annotations

from datetime import date, timedelta

from ..core.features import DemoContext
from ..org.models import OrgKind
from ..org.queries import get_root_unit
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import WorkerFilter, children_of, search_workers
from ..worker_access.services import worker_actor
from . import funds, pairing, recurring, services, visits
from .models import (
    UNRESTRICTED,
    AidReason,
    ContactKind,
    DecisionOutcome,
    EntryKind,
    FundKind,
    HelperKind,
    HelpKind,
    PaymentMethod,
)
from .services import ApplicationInput

APPROVE = DecisionOutcome.APPROVED

#: (reason, circumstances, amount in fen, how far through the chain, outcome at the end)
CASES = (
    (AidReason.ILLNESS, "小女儿确诊白血病，正在成都住院化疗，医药费缺口较大。", 300_000, 0, None),
    (AidReason.SCHOOLING, "两个孩子今年分别上初中和高中，学杂费和住宿费一时凑不齐。", 150_000, 1,
     None),
    (AidReason.DISASTER, "老家房屋在暑期洪水中受损，需要修缮，孩子暂住亲戚家。", 800_000, 2, None),
    (AidReason.POVERTY, "妻子长期患病不能工作，家中还有两位老人需要照顾。", 120_000, 0,
     "sent_back"),
    (AidReason.ILLNESS, "儿子意外骨折手术，新农合报销后仍需自付部分费用。", 200_000, 2,
     "approved"),
    (AidReason.SCHOOLING, "孩子考上县城高中，需要交住宿费和伙食费。", 120_000, 2, "paid"),
    (AidReason.OTHER, "申请购买家用电器。", 90_000, 1, "rejected"),
)


def load(context: DemoContext) -> None:
    root = get_root_unit()
    actor = context.actor
    union = context.accounts.get("union", actor)
    care = context.accounts.get("care", actor)
    site = context.accounts.get("site", actor)
    month_start = context.today.replace(day=1)
    special = funds.create_fund(root, "关爱留守儿童专项基金", FundKind.SPECIAL, "集团工会财务",
                                actor)
    for kind, fen, days_ago, purpose, donor, receipt, note in (
            (EntryKind.ALLOCATION, 20_000_000, 60, UNRESTRICTED, None, None, "集团年度专项拨款"),
            (EntryKind.DONATION, 3_000_000, 40, UNRESTRICTED, "集团党员志愿服务队", "JZ2026-018",
             None),
            (EntryKind.DONATION, 1_000_000, 20, AidReason.SCHOOLING.value, "深圳湾爱心企业联合会",
             "JZ2026-023", "仅用于子女教育")):
        funds.record_income(special, kind, fen, month_start - timedelta(days=days_ago), purpose,
                            donor, receipt, note, union)
    union_fund = funds.create_fund(root, "工会帮扶资金", FundKind.UNION, "集团工会", actor)
    funds.record_income(union_fund, EntryKind.ALLOCATION, 5_000_000,
                        month_start - timedelta(days=50), UNRESTRICTED, None, None, "工会经费划拨",
                        union)

    families = _families(context)
    deciders = [site, union, actor]
    for (reason, circumstances, amount, steps, outcome), worker in zip(CASES, families,
                                                                        strict=False):
        application = services.apply(worker, _input(worker, reason, circumstances, amount),
                                     worker_actor(worker) if reason == AidReason.SCHOOLING
                                     else care)
        for step in range(steps):
            if application.current_step == len(services.rules.chain_of(application)) - 1:
                break
            services.decide(application, deciders[step], APPROVE, step=step)
        if outcome == "sent_back":
            services.decide(application, site, DecisionOutcome.SENT_BACK, step=0,
                            comment="请补充妻子的病历和村委会出具的家庭困难证明")
        elif outcome == "rejected":
            services.decide(application, deciders[application.current_step],
                            DecisionOutcome.REJECTED, step=application.current_step,
                            comment="不属于困难帮扶范围，建议通过工会普惠活动解决")
        elif outcome in ("approved", "paid"):
            _finish_chain(application, deciders, special)
            if outcome == "paid":
                services.pay(application, union, paid_on=context.today - timedelta(days=3),
                             reference="NH20261130-0012")
    rest = families[len(CASES):]
    if rest:
        monthly = services.apply(rest[0], _input(
            rest[0], AidReason.ILLNESS, "孩子患先天性心脏病，需要长期服药和定期复查。", 80_000,
            monthly=True, until=month_start + timedelta(days=160)), care)
        _finish_chain(monthly, deciders, special)
        recurring.pay_due_months(monthly.id, context.today, actor)
    if len(rest) > 1:
        goods = services.apply(rest[1], ApplicationInput(
            reason=AidReason.DISASTER, circumstances="冬季寒冷，家中缺少过冬衣物和被褥。",
            help_kind=HelpKind.IN_KIND, in_kind_description="棉被两床、儿童羽绒服三件",
            child_ids=[child.id for child in children_of(rest[1])]), care)
        _finish_chain(goods, deciders, special)
    _pairings(context, families, care)
    _visits(context, families, union, union_fund)
    _factory(context, union_fund)


def _factory(context: DemoContext, fund) -> None:
    """The factory's (``site2``) own: an application from a worker's phone waiting for the
    factory's review, a pairing and a union visit."""
    if "site2" not in context.accounts:
        return
    families = _families(context, "site2")
    if len(families) < 3:
        return
    worker = families[0]
    services.apply(worker, _input(worker, AidReason.SCHOOLING,
                                  "孩子在老家读初二，寄宿费和资料费开学要交。", 80_000),
                   worker_actor(worker))
    helper = context.accounts.get("site2")
    made = pairing.create_pairing(families[1], pairing.PairingInput(
        helper_name="吴建平", helper_kind=HelperKind.PARTY_MEMBER, helper_phone="13800139999",
        starts_on=context.today - timedelta(days=30),
        ends_on=context.today + timedelta(days=335), contact_every_days=30,
        helper_user_key=None), actor=helper)
    pairing.log_contact(made, ContactKind.CALL, context.today - timedelta(days=3),
                        "电话询问孩子的身体情况，已恢复上学。", actor=helper, today=context.today)
    visits.record_visit(families[2], visits.VisitInput(
        visited_on=context.today - timedelta(days=12), visitors="厂区工会 黄磊",
        cash_fen=50_000, fund=fund, notes="孩子的外婆住院，送去慰问金。"),
        actor=context.accounts.get("union", context.actor), today=context.today)


def _families(context: DemoContext, manager_username: str = "site") -> list[Worker]:
    """Workers with children of the site of a site manager's demo account, families with a
    child in difficulty or de facto unsupported and others in turn."""
    manager = context.accounts.get(manager_username)
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: (manager is None
                                     or unit.responsible_person != manager.name, unit.path))
    workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                             scope_paths=[sites[0].path], per_page=400).items
    with_children = [(worker, children_of(worker)) for worker in workers]
    with_children = [(worker, children) for worker, children in with_children if children]
    in_need = [worker for worker, children in with_children
               if any(child.in_difficulty or child.de_facto_unsupported for child in children)]
    others = [worker for worker, _ in with_children if worker not in in_need]
    # Alternate, so the priority list shows families of each band.
    mixed = [worker for pair in zip(others, in_need, strict=False) for worker in pair]
    return (mixed + in_need[len(mixed) // 2:] + others[len(mixed) // 2:])[:12]


def _input(worker: Worker, reason: AidReason, circumstances: str, amount: int, *,
           monthly: bool = False, until: date | None = None) -> ApplicationInput:
    return ApplicationInput(
        reason=reason, circumstances=circumstances, amount_fen=amount, monthly=monthly,
        recurring_until=until, payment_method=PaymentMethod.BANK, account_holder=worker.name,
        bank_name="中国农业银行", account_number=f"62284800{worker.id:011d}",
        child_ids=[child.id for child in children_of(worker)])


def _finish_chain(application, deciders, fund) -> None:
    chain = services.rules.chain_of(application)
    for step in range(application.current_step, len(chain)):
        services.decide(application, deciders[step], APPROVE, step=step, fund=fund)


def _pairings(context: DemoContext, families: list[Worker], care) -> None:
    helpers = (("赵志刚", HelperKind.PARTY_MEMBER), ("孙丽华", HelperKind.MANAGER),
               ("周小燕", HelperKind.VOLUNTEER))
    for number, (worker, (name, kind)) in enumerate(zip(families[:3], helpers, strict=False)):
        started = context.today - timedelta(days=90)
        made = pairing.create_pairing(worker, pairing.PairingInput(
            helper_name=name, helper_kind=kind, helper_phone=f"1380013{number:04d}",
            helper_user_key=None, starts_on=started, ends_on=started + timedelta(days=365),
            contact_every_days=30), actor=care)
        # The third family's helper has not been in touch for six weeks: overdue.
        last = 42 if number == 2 else 10
        pairing.log_contact(made, ContactKind.CALL, started + timedelta(days=5),
                            "电话了解孩子开学准备情况。", actor=care, today=context.today)
        pairing.log_contact(made, ContactKind.VISIT, context.today - timedelta(days=last),
                            "上门看望，孩子学习情况良好，奶奶身体尚可。", actor=care,
                            today=context.today)


def _visits(context: DemoContext, families: list[Worker], union, fund) -> None:
    for number, worker in enumerate(families[3:6]):
        visits.record_visit(worker, visits.VisitInput(
            visited_on=context.today - timedelta(days=7 + number * 11),
            visitors="集团工会 刘洋、项目部工会小组长",
            cash_fen=100_000 if number != 1 else 0, fund=fund if number != 1 else None,
            goods="米、面、油各一份" if number != 2 else None,
            goods_value_fen=30_000 if number != 2 else 0,
            notes="送去慰问金和慰问品，了解孩子在老家的生活和学习情况。"), actor=union,
            today=context.today)
