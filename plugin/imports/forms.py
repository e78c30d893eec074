from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import choices as select_choices
from ..core.uploads import ROSTER
from ..registry.schema import FieldSpec
from .models import ImportKind, ImportStatus

KIND_LABELS = {
    ImportKind.WORKERS: _l("职工花名册"),
    ImportKind.CHILDREN: _l("职工子女信息"),
}

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
    kind = SelectField(_l("导入内容"), validators=[DataRequired()],
                       choices=select_choices((kind.value, label)
                                              for kind, label in KIND_LABELS.items()))
    #: Checked against the user's permissions by the view (403), not against the choices.
    unit = SelectField(_l("导入单位"), coerce=int, validate_choice=False,
                       description=_l("花名册中的项目部/厂区和班组在这个单位下按名称查找，找不到时自动新建。"))
    source = StringField(_l("来源名称"), validators=[Optional(), Length(max=100)],
                         description=_l("例如“一号项目部劳资系统”。同一来源的列对应关系会被记住，下次自动使用。"))
    dry_run = BooleanField(_l("试运行：只检查并显示将要发生的变化，不写入"))


class MappingForm(FlaskForm):
    source = StringField(_l("来源名称"), validators=[DataRequired(), Length(max=100)],
                         description=_l("对应关系保存在这个名称下，下次导入同一来源的文件时自动使用。"))


def mapping_form(headers: list[str], fields: tuple[FieldSpec, ...], matched: dict[str, str],
                 source: str | None) -> MappingForm:
    """A form with one choice per unrecognised column: the field it holds, or nothing."""
    options = [(IGNORE, _l("（不导入这一列）"))] + [
        (spec.code, spec.label) for spec in fields if spec.code not in matched]

    class ColumnsForm(MappingForm):
        pass

    for index, header in enumerate(headers):
        setattr(ColumnsForm, f"column_{index}", SelectField(header, choices=select_choices(options),
                                                                 default=IGNORE))
    form = ColumnsForm(data={"source": source or ""})
    form.headers = headers
    return form


def mapping_choices(form: MappingForm) -> dict[str, str]:
    return {header: getattr(form, f"column_{index}").data or IGNORE
            for index, header in enumerate(form.headers)}
