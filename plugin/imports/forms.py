from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import choices as select_choices
from ..core.uploads import ROSTER
from ..registry.schema import FieldSpec
from .models import ImportStatus

STATUS_LABELS = {
    ImportStatus.MAPPING: _l("待指定列"),
    ImportStatus.QUEUED: _l("排队中"),
    ImportStatus.RUNNING: _l("导入中"),
    ImportStatus.DONE: _l("已完成"),
    ImportStatus.FAILED: _l("失败"),
}

#: Choice of the mapping form for a column that holds nothing to import.
IGNORE = ""


class UploadForm(FlaskForm):
    #: The service refuses a file of another type, in the words every upload has
    #: (:mod:`plugin.core.uploads`); ``accept`` only narrows the browser's file picker.
    file = FileField(_l("花名册文件"), validators=[FileRequired(message=_l("请选择要导入的文件"))],
                     render_kw={"accept": ROSTER.accept},
                     description=_l("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码均可）。"
                                    "表头上方的标题行、日期行会自动跳过。"))
    #: The kinds the user may import somewhere (:meth:`set_kinds`).
    kind = SelectField(_l("导入内容"), validators=[DataRequired()])
    #: Checked against the user's permissions by the view (403), not against the choices.
    unit = SelectField(_l("导入单位"), coerce=int, validate_choice=False,
                       description=_l("花名册中的项目部/厂区和班组在这个单位下按名称查找，找不到时自动新建。"))
    source = StringField(_l("来源名称"), validators=[Optional(), Length(max=100)],
                         description=_l("例如“一号项目部劳资系统”。同一来源的列对应关系会被记住，下次自动使用。"))
    dry_run = BooleanField(_l("试运行：只检查并显示将要发生的变化，不写入"))

    def set_kinds(self, labels: dict[str, object]) -> None:
        self.kind.choices = select_choices(labels.items())


class MappingForm(FlaskForm):
    source = StringField(_l("来源名称"), validators=[DataRequired(), Length(max=100)],
                         description=_l("对应关系保存在这个名称下，下次导入同一来源的文件时自动使用。"))


#: How a column's field was guessed, as the mapping step says it.
HOW_LABELS = {
    "saved": _l("上次保存的对应关系"),
    "exact": _l("列名一致"),
    "contains": _l("列名相近"),
    "similar": _l("列名相似"),
    "values": _l("按这一列的内容判断"),
    "ambiguous": _l("列名有两种可能，请选择"),
    "taken": _l("另一列已对应这个字段"),
    "ignored": _l("不需要导入"),
    "": _l("未识别"),
}


def mapping_form(columns: list[dict], fields: tuple[FieldSpec, ...],
                 source: str | None) -> MappingForm:
    """A form with one choice per column of the file: the field it holds (the guess chosen
    first), or nothing. ``columns`` are the guesses kept on the job (``ColumnGuess.as_dict``)."""
    options = [(IGNORE, _l("（不导入这一列）"))] + [(spec.code, spec.label) for spec in fields]

    class ColumnsForm(MappingForm):
        pass

    for column in columns:
        setattr(ColumnsForm, f"column_{column['index']}",
                SelectField(column["header"], choices=select_choices(options),
                            default=column.get("code") or IGNORE))
    form = ColumnsForm(data={"source": source or ""})
    form.column_guesses = columns
    return form


def mapping_choices(form: MappingForm) -> dict[str, str]:
    return {column["header"]: getattr(form, f"column_{column['index']}").data or IGNORE
            for column in form.column_guesses}


def masked_sample(text: str) -> str:
    """A sample value as the mapping step shows it: long numbers (ID, phone, bank card) masked
    like everywhere else, first 3 and last 4 characters."""
    compact = "".join(text.split())
    if len(compact) >= 11 and sum(char.isdigit() for char in compact) >= 10:
        return f"{compact[:3]}{'*' * (len(compact) - 7)}{compact[-4:]}"
    return text
