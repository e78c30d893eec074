"""The audit log in words: each event as a sentence in the reader's language.

An event stores codes (``child.updated``, ``target_type="child"``, ``{"fields": ["name"],
"bulk": True}``); this module turns them into what a person reads: the action's label, the
object by its type's label and its name (masked, with a link where the reader may open it) and
the details as phrases ("修改的信息：姓名；批量修改：是").

Nothing here knows a feature. Each feature describes its own events with an :class:`AuditText`
named by its declaration (``Feature(audit_text="audit_text:AUDIT_TEXT")``): labels of its object
types with a function that names a batch of them in one query, labels of its detail keys and of
their coded values, labels of the fields its "fields" lists name, and, where a generic phrase
reads badly, a sentence builder per action. A host adds its own with :func:`register_audit_text`.

Detail values are phrased by kind: booleans as 是/否, ISO dates and times in the one format
(:mod:`plugin.core.dates`), lists joined with 、, coded values by their labels, ids of other
records by those records' names. A key nobody labelled still reads as words (its code with the
underscores turned into spaces), never as ``key: False``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.dates import format_date, format_datetime
from ..core.features import Feature, declared_features
from .actions import action_label


@dataclass(frozen=True)
class Named:
    """One record as the audit log shows it: its (masked) name, and a link if the reader may
    open it."""

    name: str
    url: str | None = None


#: ``(ids, reader_key) -> {id: Named}``: names a batch of records of one type in one query,
#: linking those the reader may open. Ids are strings (as :attr:`AuditEvent.target_id`).
Describe = Callable[[list[str], str | None], Mapping[str, Named]]
#: ``(details, phrase) -> list of sentences`` for one action; ``phrase(key, value)`` gives the
#: generic phrase of one detail, ``None`` when there is nothing to say.
Sentences = Callable[[Mapping[str, Any], Callable[[str, Any], str | None]], list[str]]


@dataclass(frozen=True)
class AuditTarget:
    """An object type of audit events (``target_type``)."""

    label: Any
    describe: Describe | None = None


@dataclass(frozen=True)
class AuditText:
    """What one feature contributes to reading the audit log."""

    #: ``target_type`` → its label and how to name records of it.
    targets: Mapping[str, AuditTarget] = field(default_factory=dict)
    #: Detail key → label (``"notice_version"`` → 告知书版本).
    keys: Mapping[str, Any] = field(default_factory=dict)
    #: Detail key → {stored value → label} (``"method"`` → {``"paper"`` → 纸质}).
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Detail key → the ``target_type`` its value (an id, or a list of ids) points at, so the
    #: value reads as names (``"worker_id"`` → ``"worker"``).
    references: Mapping[str, str] = field(default_factory=dict)
    #: ``target_type`` → {field code → label}, for the lists of fields a change names.
    fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Action → sentence builder, where the generic phrases read badly.
    sentences: Mapping[str, Sentences] = field(default_factory=dict)


#: Keys whose value is a list of field codes of the event's object.
FIELD_LIST_KEYS = frozenset({"fields", "withheld", "refused", "applied"})

#: Detail keys that every feature uses in the same sense.
COMMON = AuditText(
    keys={
        "fields": _l("修改的信息"), "withheld": _l("暂存待同意的信息"),
        "refused": _l("未补入的信息"), "applied": _l("补入的信息"),
        "reason": _l("理由"), "method": _l("方式"), "bulk": _l("批量修改"),
        "dry_run": _l("试运行（未保存）"), "erased": _l("删除的信息项数"),
        "notice_version": _l("告知书版本"), "status": _l("结果"), "name": _l("名称"),
        "title": _l("标题"), "page": _l("页面"), "count": _l("数量"), "rows": _l("行数"),
        "format": _l("格式"), "kind": _l("类型"), "minutes": _l("分钟"),
        "version": _l("版本"), "previous": _l("原版本"), "default": _l("默认文本"),
        "from": _l("原定"), "to": _l("改为"), "starts_at": _l("开始时间"),
        "expires_at": _l("有效期至"), "expired_on": _l("到期日期"), "valid_until": _l("有效期至"),
        "signed_on": _l("签署日期"), "role": _l("角色"), "unit": _l("单位"),
        "timezone": _l("时区"), "username": _l("用户名"), "display_name": _l("姓名"),
        "prefix": _l("令牌前缀"), "scope": _l("范围"), "failures": _l("失败次数"),
        "window_minutes": _l("统计时段（分钟）"), "known": _l("账号存在"),
        "by_self": _l("本人操作"), "channel": _l("渠道"), "code_channel": _l("验证码渠道"),
        "processed": _l("处理行数"), "created": _l("新增"), "updated": _l("更新"),
        "unchanged": _l("无变化"), "rejected": _l("拒绝"), "filename": _l("文件"),
        "employee_number": _l("工号"), "pin_cleared": _l("清除 PIN"), "phones": _l("手机数"),
        "pledges": _l("承诺书份数"), "bytes": _l("文件大小（字节）"),
        "only_valid": _l("仅有效的"), "badges": _l("胸卡数"), "accepted": _l("登记成功"),
        "already": _l("已签到"),
    },
    values={"status": {"done": _l("完成"), "failed": _l("失败"), "cancelled": _l("已取消"),
                       "running": _l("进行中")}},
)

_HOST_TEXTS: list[AuditText] = []


def register_audit_text(text: AuditText) -> None:
    """A host's own object types and detail keys (its user accounts, sign-in)."""
    _HOST_TEXTS.append(text)


def _features() -> Iterable[Feature]:
    if has_app_context() and "carebridge" in current_app.extensions:
        return current_app.extensions["carebridge"].features
    return declared_features()


def audit_texts() -> list[AuditText]:
    """Every contribution: the common keys, the mounted features', then the host's."""
    texts = [COMMON]
    for feature in _features():
        path = getattr(feature, "audit_text", None)
        if path:
            texts.append(feature.load(path))
    return texts + _HOST_TEXTS


@dataclass
class _Merged:
    targets: dict[str, AuditTarget] = field(default_factory=dict)
    keys: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    references: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    sentences: dict[str, Sentences] = field(default_factory=dict)


def _merged() -> _Merged:
    merged = _Merged()
    for text in audit_texts():
        merged.targets.update(text.targets)
        merged.keys.update(text.keys)
        for key, labels in text.values.items():
            merged.values[key].update(labels)
        merged.references.update(text.references)
        for target_type, labels in text.fields.items():
            merged.fields[target_type].update(labels)
        merged.sentences.update(text.sentences)
    return merged


def readable(code: str) -> str:
    """A code nobody labelled, as words: ``notice_version`` → ``notice version``."""
    return re.sub(r"[_.]+", " ", str(code)).strip()


def target_label(target_type: str | None) -> str:
    if not target_type:
        return ""
    target = _merged().targets.get(target_type)
    return str(target.label) if target is not None else readable(target_type)


def target_type_labels(target_types: Iterable[str]) -> list[tuple[str, str]]:
    """(code, label) of object types, for the filter's select."""
    targets = _merged().targets
    return [(code, str(targets[code].label) if code in targets else readable(code))
            for code in target_types]


@dataclass(frozen=True)
class EventText:
    """One event as read: who, what, which object, and the details as sentences."""

    event: Any
    actor: str
    action: str
    target_type: str
    target: Named | None
    details: list[str]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class _Reader:
    """Phrases a page of events; names the records they point at, one query per type."""

    def __init__(self, merged: _Merged, names: Mapping[tuple[str, str], Named]):
        self.merged = merged
        self.names = names

    def key_label(self, key: str) -> str:
        label = self.merged.keys.get(key)
        return str(label) if label is not None else readable(key)

    def value(self, key: str, value: Any, target_type: str | None) -> str:
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if value is None or value == "":
            return "—"
        if key in self.merged.references:
            return self._reference(self.merged.references[key], value)
        if isinstance(value, list | tuple | set):
            if key in FIELD_LIST_KEYS:
                labels = self.merged.fields.get(target_type or "", {})
                return _("、").join(str(labels.get(code, readable(code))) for code in value)
            return _("、").join(self.value(key, item, target_type) for item in value)
        if isinstance(value, Mapping):
            return _("，").join(_("%(label)s %(value)s", label=self.key_label(k),
                                  value=self.value(k, v, target_type)) for k, v in value.items())
        coded = self.merged.values.get(key, {})
        if str(value) in coded:
            return str(coded[str(value)])
        if isinstance(value, str) and _DATE.match(value):
            return format_date(value) or value
        if isinstance(value, str) and _DATETIME.match(value):
            return format_datetime(value) or value
        return str(value)

    def _reference(self, target_type: str, value: Any) -> str:
        ids = value if isinstance(value, list | tuple) else [value]
        shown = []
        for record_id in ids:
            named = self.names.get((target_type, str(record_id)))
            shown.append(named.name if named else f"#{record_id}")
        return _("、").join(shown)

    def phrase(self, key: str, value: Any, target_type: str | None = None) -> str | None:
        if value is None or value == [] or value == {}:
            return None
        return _("%(label)s：%(value)s", label=self.key_label(key),
                 value=self.value(key, value, target_type))

    def sentences(self, event) -> list[str]:
        details = event.details or {}
        if not isinstance(details, Mapping):
            return [str(details)]
        builder = self.merged.sentences.get(event.action)
        if builder is not None:
            return builder(details, lambda key, value: self.phrase(key, value, event.target_type))
        return [text for key, value in details.items()
                if (text := self.phrase(key, value, event.target_type))]


def _action_text(code: str) -> str:
    label = action_label(code)
    return readable(code) if label == code else label


def describe_events(events: Iterable[Any], reader_key: str | None) -> list[EventText]:
    """The events as sentences for ``reader_key``: names masked, links where the reader may
    open the record (each describe function checks the record's own unit)."""
    events = list(events)
    merged = _merged()
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type and event.target_id:
            wanted[event.target_type].add(str(event.target_id))
        details = event.details if isinstance(event.details, Mapping) else {}
        for key, value in details.items():
            if key in merged.references and value not in (None, "", []):
                ids = value if isinstance(value, list | tuple) else [value]
                wanted[merged.references[key]].update(str(item) for item in ids)
    names: dict[tuple[str, str], Named] = {}
    for target_type, ids in wanted.items():
        target = merged.targets.get(target_type)
        if target is None or target.describe is None:
            continue
        for record_id, named in target.describe(sorted(ids), reader_key).items():
            names[(target_type, str(record_id))] = named
    reader = _Reader(merged, names)
    texts = []
    for event in events:
        target = None
        if event.target_type:
            target = names.get((event.target_type, str(event.target_id)))
            if target is None and event.target_id:
                target = Named(f"#{event.target_id}")
        texts.append(EventText(event=event, actor=event.actor_name,
                               action=_action_text(event.action),
                               target_type=target_label(event.target_type),
                               target=target, details=reader.sentences(event)))
    return texts
