"""Test data for the privacy rights and assessment tests: impact assessments, the features'
own-data providers as the extension would mount them, and reading PDFs with poppler."""
from __future__ import annotations

import importlib
import subprocess
from datetime import date
from pathlib import Path

from plugin.features import load_features
from plugin.privacy import assessments

from .conftest import SYSTEM

#: The features that answer the own-data download (their ``subject_data`` modules).
PROVIDING = ("registry", "pledges", "guardianship", "reunions", "aid", "family_contact",
             "lectures", "worker_notices")


def providers() -> list:
    """(feature, its ``subject_data`` function) of every providing feature, in mount order:
    what :func:`plugin.privacy.subject_data.mounted_providers` gives once they are declared."""
    return [(feature, importlib.import_module(f"{feature.package}.subject_data").subject_data)
            for feature in load_features() if feature.name in PROVIDING]


def assessment_input(unit, kind: str = "carrier", **overrides) -> assessments.AssessmentInput:
    values = dict(unit=unit, recipient_kind=kind, recipient_name="中国移动深圳分公司",
                  purpose="每月报送亲情通话赠送名单", data_categories="职工手机号码、赠送分钟数和流量",
                  legal_basis="履行与职工约定的补贴所必需", necessity="运营商只能按号码充值",
                  risks_and_measures="合同约定只用于充值，加密传输，三个月内删除",
                  assessed_by="人力资源部", assessed_on=date(2026, 11, 1),
                  valid_until=date(2027, 10, 31))
    values.update(overrides)
    return assessments.AssessmentInput(**values)


def make_assessment(unit, kind: str = "carrier", **overrides):
    return assessments.create_assessment(assessment_input(unit, kind, **overrides), actor=SYSTEM,
                                         today=date(2026, 11, 22))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "own-data.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
