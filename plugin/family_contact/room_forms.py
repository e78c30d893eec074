"""Forms of the rooms pages. They render inputs, carry the CSRF token and turn text into values;
the rules are checked by :mod:`.rooms` and :mod:`.bookings` (select fields do not check their
choices: the service names what is missing in its own words)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import Length, Optional

from ..core.forms import choices
from .models import RoomKind
from .rooms import RoomInput

#: Slot lengths offered, in minutes.
SLOT_LENGTHS = (10, 15, 20, 30, 45, 60, 90, 120)


class RoomForm(FlaskForm):
    """A room of a site; the site's choices (where the user sets up rooms) are set by the view."""

    unit = SelectField(_l("项目部"), choices=[], validate_choice=False)
    kind = SelectField(_l("类型"), validate_choice=False, choices=choices(
        [("", "—")] + [(kind.value, kind.label) for kind in RoomKind]))
    name = StringField(_l("名称"), validators=[Length(max=100)],
                       description=_l("例如：生活区亲情视频聊天室、食堂旁亲情电话"))
    location = StringField(_l("位置"), validators=[Length(max=200)],
                           description=_l("职工找得到的说法，例如：3 号宿舍楼一楼"))
    opens_at = TimeField(_l("每天开放时间"), validators=[Optional()])
    closes_at = TimeField(_l("每天关闭时间"), validators=[Optional()])
    slot_minutes = SelectField(_l("每个时段（分钟）"), validate_choice=False, default="30",
                               choices=choices([(str(minutes), _l("%(minutes)s 分钟",
                                                                  minutes=minutes))
                                                for minutes in SLOT_LENGTHS]))
    max_future_bookings = IntegerField(_l("每人最多同时预约几个时段"), default=2,
                                       validators=[Optional()],
                                       render_kw={"inputmode": "numeric", "min": 1})

    def room_input(self) -> RoomInput:
        kind = self.kind.data if self.kind.data in {kind.value for kind in RoomKind} else None
        minutes = self.slot_minutes.data
        return RoomInput(
            kind=RoomKind(kind) if kind else None, name=self.name.data,
            location=self.location.data, opens_at=self.opens_at.data,
            closes_at=self.closes_at.data,
            slot_minutes=int(minutes) if minutes and str(minutes).isdigit() else None,
            max_future_bookings=self.max_future_bookings.data)


class DayForm(FlaskForm):
    """The day of a schedule (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    day = DateField(_l("日期"), validators=[Optional()])


class RecordUseForm(FlaskForm):
    """The officer's buttons under a started slot: the worker came, or did not."""

    outcome = HiddenField()

    @property
    def used(self) -> bool | None:
        return {"used": True, "no_show": False}.get(self.outcome.data or "")
