"""What family-contact support holds about a worker, for their own-data file
(:mod:`plugin.privacy.subject_data`): the monthly call-minute and data grants (with the phone
number sent to the carrier), room bookings and where they live."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.dates import format_datetime
from ..core.db import session
from ..core.features import DataSection
from ..registry.models import Worker
from .allowance_queries import grants_of_worker
from .carriers import carrier_label
from .models import LivingArea, Residence, RoomBooking


def _grants(worker: Worker) -> list[DataSection]:
    rows = []
    for grant in grants_of_worker(worker):
        words = _("%(minutes)s 分钟、%(mb)s MB · %(status)s", minutes=grant.minutes,
                  mb=grant.data_mb, status=grant.status.label)
        details = [words, carrier_label(grant.policy.carrier)]
        if grant.phone:
            details.append(grant.phone)
        if grant.failure_reason:
            details.append(grant.failure_reason)
        rows.append((grant.month.strftime("%Y-%m"), " · ".join(details)))
    return [DataSection(_l("亲情通话补贴"), tuple(rows))] if rows else []


def _bookings(worker: Worker) -> list[DataSection]:
    bookings = session.execute(select(RoomBooking).where(RoomBooking.worker_id == worker.id)
                               .order_by(RoomBooking.starts_at)).scalars().all()
    rows = tuple((format_datetime(booking.starts_at),
                  f"{booking.room.name}（{booking.room.kind.label}）· {booking.status.label}")
                 for booking in bookings)
    return [DataSection(_l("亲情电话和视频聊天室预约"), rows)] if rows else []


def _residence(worker: Worker) -> list[DataSection]:
    found = session.execute(select(LivingArea.name, Residence.since)
                            .join(Residence, Residence.living_area_id == LivingArea.id)
                            .where(Residence.worker_id == worker.id)).first()
    if found is None:
        return []
    name, since = found
    return [DataSection(_l("居住区"), ((_l("居住区"), name), (_l("入住日期"), since)))]


def subject_data(worker: Worker) -> list[DataSection]:
    return _grants(worker) + _bookings(worker) + _residence(worker)
