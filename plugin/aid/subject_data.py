"""The worker's hardship-aid applications and payments, for their own-data file
(:mod:`plugin.privacy.subject_data`): as the phone shows them, the account number masked."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.features import DataSection
from ..core.money import format_yuan
from ..registry.models import Worker
from . import application_queries, queries
from .forms import mask_account


def subject_data(worker: Worker) -> list[DataSection]:
    sections = []
    for application in application_queries.applications_of_worker(worker.id):
        rows = [
            (_l("提交时间"), application.submitted_at),
            (_l("困难原因"), application.reason.label),
            (_l("困难情况"), application.circumstances),
            (_l("帮扶方式"), application.help_kind.label),
            (_l("申请金额（元）"), format_yuan(application.amount_fen)),
            (_l("实物说明"), application.in_kind_description),
            (_l("收款方式"), application.payment_method.label
             if application.payment_method else None),
            (_l("收款人"), application.account_holder),
            (_l("开户银行"), application.bank_name),
            (_l("收款账号"), mask_account(application.account_number)),
            (_l("状态"), application.status.label),
        ]
        rows += [(_("发放 %(date)s", date=payment.paid_on.isoformat()),
                  _("%(amount)s 元", amount=format_yuan(payment.amount_fen)))
                 for payment in queries.payments_of(application.id)]
        sections.append(DataSection(_("困难帮扶申请（%(date)s）",
                                      date=application.submitted_at.date().isoformat()),
                                    tuple(rows)))
    return sections
