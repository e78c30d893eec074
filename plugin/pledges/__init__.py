"""Guardianship pledges (监护责任承诺书, DOMAIN §4): versioned templates, signing on paper (logged by
an HR officer with a scan) or on the worker's phone (drawn signature), the PDF with its public
verification code, the yearly lifecycle with reminders, coverage per site and site zips."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "pledge.template_saved": _l("保存监护承诺书文本版本"),
    "pledge.signed": _l("签署监护承诺书"),
    "pledge.revoked": _l("撤销监护承诺书"),
    "pledge.expired": _l("监护承诺书到期"),
    "pledge.pdf_downloaded": _l("下载监护承诺书 PDF"),
    "pledge.scan_downloaded": _l("查看监护承诺书扫描件"),
    "pledge.batch_requested": _l("申请批量打包监护承诺书"),
    "pledge.batch_finished": _l("监护承诺书打包完成"),
    "pledge.batch_downloaded": _l("下载监护承诺书压缩包"),
})
