"""Access is decided per record: nobody acts on another subtree's record, by any path.

Generated from the URL map: every route declares which of its URL arguments name a record
(:data:`ROUTES`); a route without a declaration fails :func:`test_every_route_declares_its_records`.
For each record-naming route, every staff role granted on site 甲, the HR API token of 甲 and a
worker of 甲 on their phone try the records of site 乙: the answer must be the same as for a record
that does not exist (so a sequential id tells nothing), must not carry any of 乙's names or
numbers, and a refused write must leave every table as it was.

Paths that name a record by a natural key inside a form, a query string, a file or a JSON body
(employee number, ID number, badge code, user id) are the cases of :data:`KEY_PATHS`; the code
that resolves such keys is found by reading the source (:func:`natural_key_resolvers`), and a
resolver no case covers (or that is not declared public by design) fails
:func:`test_every_natural_key_resolver_is_covered`.
"""
from __future__ import annotations

import ast
import difflib
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from plugin.access.roles import Role
from plugin.api_tokens.models import TokenScope
from plugin.api_tokens.services import issue_token
from plugin.core.clock import FrozenClock, system_clock
from plugin.core.db import session
from plugin.notifications.services import notify
from plugin.org.models import OrgKind
from plugin.risk_reports import services as risk_services
from plugin.risk_reports.models import LearnedHow, ReporterKind, Situation

from . import factories
from .conftest import (
    CLOCK_START,
    PASSWORD,
    SYSTEM,
    create_test_company,
    csrf_token,
    joined_session,
    unit_maker,
    user_maker,
)
from .lectures_support import attend, make_lecture, make_lecturer
from .privacy_subject_support import make_assessment
from .reunions_support import TRAVEL_FROM, make_campaign
from .reunions_support import apply as reunion_apply
from .support import table_fingerprints

ROOT = Path(__file__).resolve().parent.parent
MISSING_ID = 2_000_000_000
MISSING_NUMBER = "Z99999"

#: Strings that belong to site 乙's records: none may reach an actor of site 甲.
MARKERS = ("隔壁王五", "C9001", "隔壁小宝", "隔壁宣讲会", "隔壁讲师", "隔壁照护人", "隔壁人事", "c_hr_user",
           "13700009001", "隔壁对接", "隔壁小候鸟团聚", "隔壁防溺水课", "隔壁聊天室", "隔壁宿舍",
           "隔壁儿童主任", "13700009003", "隔壁志愿者", "隔壁钢筋工", "隔壁王五想回家")


# -- the declarations ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Open:
    """The route names no record in its URL (lists, forms, the phone's own pages, public pages
    that take a code checked by MAC or lookup of a public verification code)."""

    why: str


@dataclass(frozen=True)
class Names:
    """URL argument → the kind of record it names (a key of :class:`World`'s ``ids``)."""

    args: dict[str, str]
    #: "staff", "api" or "phone": who reaches this route.
    by: str = "staff"
    #: Extra URL arguments that name no record (e.g. ``kind``).
    fixed: dict[str, str] = field(default_factory=dict)
    #: The JSON body for API writes.
    body: dict | None = None
    #: True when a write to a record that does not exist creates it (PUT by natural key): the
    #: out-of-scope answer must then be a refusal, not the same answer as for a new record.
    creates_missing: bool = False


ROUTES: dict[str, Open | Names] = {
    # Portal
    "auth.login": Open("sign-in page"),
    "auth.logout": Open("the actor's own session"),
    "setup.index": Open("first-run set-up; closed once a company exists"),
    "language": Open("UI language switch"),
    "users.index": Open("list, filtered to the actor's subtree"),
    "users.new": Open("form"),
    "users.edit": Names({"user_id": "user"}),
    "users.revoke": Names({"user_id": "user", "grant_id": "grant"}),
    # Org
    "carebridge.org.tree": Open("tree of the actor's scope"),
    "carebridge.org.company": Open("the company itself"),
    "carebridge.org.unit": Names({"unit_id": "team"}),
    "carebridge.org.edit_unit": Names({"unit_id": "team"}),
    "carebridge.org.new_unit": Names({"unit_id": "team"}),
    "carebridge.dashboard.home": Open("counts of the actor's scope"),
    "carebridge.audit.events": Open("audit search, filtered to the actor's scope"),
    "carebridge.audit.export_events": Open("export of the audit search, filtered to the actor's scope"),
    "carebridge.notifications.index": Open("the actor's own notifications"),
    "carebridge.notifications.read": Names({"notification_id": "notification"}),
    "carebridge.notifications.read_all": Open("the actor's own notifications"),
    "carebridge.api_tokens.index": Open("list of the actor's scope"),
    "carebridge.api_tokens.new": Open("form"),
    "carebridge.api_tokens.issued": Names({"token_id": "api_token"}),
    "carebridge.api_tokens.revoke": Names({"token_id": "api_token"}),
    # Registry
    "carebridge.registry.workers": Open("list of the actor's scope"),
    "carebridge.registry.export_workers": Open("export of the list of the actor's scope"),
    "carebridge.registry.export_children": Open("export of the children of the list, each child "
                                                "within the actor's scope"),
    "carebridge.registry.new_worker": Open("form; the employee number is a key path"),
    "carebridge.registry.worker": Names({"worker_id": "worker"}),
    "carebridge.registry.edit_worker": Names({"worker_id": "worker"}),
    "carebridge.registry.new_child": Names({"worker_id": "worker"}),
    "carebridge.registry.child": Names({"child_id": "child"}),
    "carebridge.registry.edit_child": Names({"child_id": "child"}),
    "carebridge.registry.reveal_child_id": Names({"child_id": "child"}),
    "carebridge.registry.give_consent": Names({"child_id": "child"}),
    "carebridge.registry.withdraw": Names({"child_id": "child"}),
    "carebridge.worker_children.mine": Open("the worker's own children"),
    "carebridge.worker_notices.open_notice": Names({"notice_id": "worker_notice"}, by="phone"),
    "carebridge.worker_children.consent": Names({"child_id": "child"}, by="phone"),
    "carebridge.worker_children.withdraw": Names({"child_id": "child"}, by="phone"),
    "carebridge.registry_review.index": Open("list of the actor's scope"),
    "carebridge.registry_review.export": Open("export of the list of the actor's scope"),
    "carebridge.registry_review.fill": Open("child ids in the form, found within the actor's scope: a key path"),
    # Imports
    "carebridge.imports.index": Open("upload form and the actor's jobs; rows are key paths"),
    "carebridge.imports.template": Open("a blank template made from the field list; no records"),
    "carebridge.imports.job": Names({"job_id": "import_job"}),
    "carebridge.imports.progress": Names({"job_id": "import_job"}),
    "carebridge.imports.error_file": Names({"job_id": "import_job"}),
    "carebridge.imports.columns": Names({"job_id": "import_job"}),
    "carebridge.imports.discard": Names({"job_id": "import_job"}),
    "carebridge.imports.ask_consent": Names({"job_id": "import_job"}),
    # Lectures and attendance
    "carebridge.lectures.index": Open("list of the actor's scope"),
    "carebridge.lectures.calendar": Open("calendar of the actor's scope"),
    "carebridge.lectures.statistics_page": Open("figures of the actor's scope"),
    "carebridge.lectures.remind_never_attended": Open("notices to the page's list of the actor's scope; the unit is checked like the page's"),
    "carebridge.lectures.export_statistics": Open("export of the figures of the actor's scope"),
    "carebridge.lectures.export_never_attended": Open("export of a list of the actor's scope"),
    "carebridge.lectures.new_session": Open("form"),
    "carebridge.lectures.team": Open("list of the actor's scope"),
    "carebridge.lectures.new_lecturer": Open("form"),
    "carebridge.lectures.detail": Names({"session_id": "lecture"}),
    "carebridge.lectures.cancel": Names({"session_id": "lecture"}),
    "carebridge.lectures.edit_session": Names({"session_id": "lecture"}),
    "carebridge.lectures.reschedule": Names({"session_id": "lecture"}),
    "carebridge.lectures.sign_in_sheet": Names({"session_id": "lecture"}, fixed={"kind": "pdf"}),
    "carebridge.lectures.edit_lecturer": Names({"lecturer_id": "lecturer"}),
    "carebridge.lectures.deactivate_lecturer": Names({"lecturer_id": "lecturer"}),
    "carebridge.attendance.session_attendance": Names({"session_id": "lecture"}),
    "carebridge.attendance.attempts": Names({"session_id": "lecture"}),
    "carebridge.attendance.manual_entry": Names({"session_id": "lecture"}),
    "carebridge.attendance.paper_sheet": Names({"session_id": "lecture"}),
    "carebridge.attendance.projector": Names({"session_id": "lecture"}),
    "carebridge.attendance.projector_state": Names({"session_id": "lecture"}),
    "carebridge.attendance.scanner": Names({"session_id": "lecture"}),
    "carebridge.attendance.upload_scans": Names({"session_id": "lecture"}),
    "carebridge.attendance.annul": Names({"attendance_id": "attendance"}),
    "carebridge.attendance.badges": Names({"unit_id": "team"}),
    "carebridge.attendance.check_in": Open("venue code checked by MAC; a key path"),
    "carebridge.worker_lectures.index": Open("the worker's own lectures"),
    # Pledges
    "carebridge.pledges.index": Open("list of the actor's scope"),
    "carebridge.pledges.coverage": Open("figures of the actor's scope"),
    "carebridge.pledges.export_coverage": Open("export of the figures of the actor's scope"),
    "carebridge.pledges.remind_uncovered": Open("notices to a site's list, filtered to the actor's scope; the site is checked like the page's"),
    "carebridge.pledges.paper_forms": Open("forms of a site's list, filtered to the actor's scope; the site is checked like the page's"),
    "carebridge.pledges.export_uncovered": Open("export of a site's list, filtered to the actor's scope; the site is checked like the page's"),
    "carebridge.pledges.template": Open("the company's pledge text"),
    "carebridge.pledges.edit_template": Open("the company's pledge text"),
    "carebridge.pledges.batches": Open("list of the actor's scope and a form"),
    "carebridge.pledges.pledge": Names({"pledge_id": "pledge"}),
    "carebridge.pledges.pdf": Names({"pledge_id": "pledge"}),
    "carebridge.pledges.scan": Names({"pledge_id": "pledge"}),
    "carebridge.pledges.revoke": Names({"pledge_id": "pledge"}),
    "carebridge.pledges.worker": Names({"worker_id": "worker"}),
    "carebridge.pledges.log_paper": Names({"worker_id": "worker"}),
    "carebridge.pledges.batch": Names({"batch_id": "pledge_batch"}),
    "carebridge.pledges.batch_download": Names({"batch_id": "pledge_batch"}),
    "carebridge.pledges.batch_progress": Names({"batch_id": "pledge_batch"}),
    "carebridge.pledges_public.index": Open("public check page"),
    "carebridge.pledges_public.verify": Open("public check page by a random verification code"),
    "carebridge.pledges_worker.mine": Open("the worker's own pledges"),
    "carebridge.pledges_worker.sign": Open("the worker signs their own pledge"),
    "carebridge.pledges_worker.pdf": Names({"pledge_id": "pledge"}, by="phone"),
    # Guardianship
    "carebridge.guardianship.agreements": Open("list of the actor's scope"),
    "carebridge.guardianship.export_agreements": Open("export of the list of the actor's scope"),
    "carebridge.guardianship.find_agreement_worker": Open("employee number in the query: a key path"),
    "carebridge.guardianship.follow_up": Open("list of the actor's scope"),
    "carebridge.guardianship.export_follow_up": Open("export of the list of the actor's scope"),
    "carebridge.guardianship.verify": Open("public check page by a random verification code"),
    "carebridge.guardianship.agreement": Names({"agreement_id": "agreement"}),
    "carebridge.guardianship.close_agreement": Names({"agreement_id": "agreement"},
                                                     fixed={"action": "revoke"}),
    "carebridge.guardianship.agreement_document": Names({"agreement_id": "agreement"}),
    "carebridge.guardianship.agreement_scan": Names({"agreement_id": "agreement"}),
    "carebridge.guardianship.notice_document": Names({"agreement_id": "agreement", "child_id": "child"},
                                                     fixed={"recipient": "school"}),
    "carebridge.guardianship.new_agreement": Names({"worker_id": "worker"}),
    "carebridge.guardianship.worker_contacts": Names({"worker_id": "worker"}),
    "carebridge.guardianship.worker_record": Names({"worker_id": "worker"}),
    "carebridge.guardianship.issue_entry": Names({"worker_id": "worker"}),
    "carebridge.guardianship_phone.agreement_document": Names({"agreement_id": "agreement"}, by="phone"),
    "carebridge.guardianship_phone.sign": Names({"agreement_id": "agreement"}, by="phone"),
    "carebridge.guardianship_phone.contacts_page": Open("the worker's own contact log"),
    "carebridge.guardianship_phone.record": Open("the worker's own record"),
    # Worker phone
    "carebridge.worker_access.home": Open("the worker's own home page"),
    "carebridge.worker_access.sign_in": Open("sign-in; throttled, see the sign-in tests"),
    "carebridge.worker_access.sign_out": Open("the worker's own phone"),
    "carebridge.worker_access.activate": Open("first sign-in with a one-time code; throttled, same "
                                              "answer for any number (test_worker_sign_in_security)"),
    "carebridge.worker_access.send_code": Open("texts a code to the number's own phone; same answer "
                                               "for any number (test_worker_sign_in_security)"),
    "carebridge.worker_phones.phones": Names({"worker_id": "worker"}),
    "carebridge.worker_phones.issue_code": Names({"worker_id": "worker"}),
    "carebridge.worker_phones.unlock": Names({"worker_id": "worker"}),
    "carebridge.worker_phones.revoke": Names({"worker_id": "worker"}),
    # HR API
    "hr_api.openapi_document": Open("the API's description"),
    "hr_api.list_workers": Open("list of the token's scope"),
    "hr_api.get_figures": Open("figures of the token's own subtree"),
    "hr_api.post_workers": Open("batch: each record's employee number is a key path"),
    "hr_api.post_children": Open("batch: each record's parent and ID number are key paths"),
    "hr_api.put_child": Open("parent and ID number in the body: a key path"),
    "hr_api.get_worker": Names({"employee_number": "worker_number"}, by="api"),
    "hr_api.put_worker": Names({"employee_number": "worker_number"}, by="api", creates_missing=True,
                               body={"name": "改了名字"}),
    "hr_api.get_worker_children": Names({"employee_number": "worker_number"}, by="api"),
    "hr_api.get_child": Names({"child_id": "child"}, by="api"),
    # Reunions: a campaign reaches the actors of its subtree and of the units above it; an
    # application, its travellers and an activity belong to one unit
    "carebridge.reunions.index": Open("list of the actor's scope"),
    "carebridge.reunions.new_campaign": Open("form; the unit in the query is checked like a record's "
                                             "(a key path)"),
    "carebridge.reunions.campaign": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions.set_quota": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions.run_campaign": Names({"campaign_id": "reunion_campaign"},
                                              fixed={"action": "allocate"}),
    "carebridge.reunions.apply": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions.application": Names({"application_id": "reunion_application"}),
    "carebridge.reunions.decide": Names({"application_id": "reunion_application"},
                                        fixed={"action": "approve"}),
    "carebridge.reunions.close_application": Names({"application_id": "reunion_application"},
                                                   fixed={"action": "reject"}),
    "carebridge.reunions.change_priority": Names({"application_id": "reunion_application"}),
    "carebridge.reunions.worker": Names({"worker_id": "worker"}),
    "carebridge.reunions_booking.campaign_booking": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_booking.manifest": Names({"campaign_id": "reunion_campaign"},
                                                  fixed={"fmt": "xlsx"}),
    "carebridge.reunions_booking.import_results": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_booking.application_booking": Names({"application_id": "reunion_application"}),
    "carebridge.reunions_booking.reveal_traveller_id": Names({"traveller_id": "reunion_traveller"}),
    "carebridge.reunions_booking.mark_travelled": Names({"application_id": "reunion_application"}),
    "carebridge.reunions_booking.mark_no_show": Names({"application_id": "reunion_application"}),
    "carebridge.reunions_booking.cancel_ticket": Names({"application_id": "reunion_application"}),
    "carebridge.reunions_results.results": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_results.results_pdf": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_results.results_xlsx": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_visits.on_site": Open("children on site in the actor's scope"),
    "carebridge.reunions_visits.campaign_visits": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_visits.register_visit": Names({"campaign_id": "reunion_campaign",
                                                        "traveller_id": "reunion_traveller"}),
    "carebridge.reunions_visits.new_activity": Names({"campaign_id": "reunion_campaign"}),
    "carebridge.reunions_visits.activity": Names({"activity_id": "reunion_activity"}),
    "carebridge.reunions_phone.mine": Open("the worker's own applications and the campaigns open to them"),
    "carebridge.reunions_phone.apply": Names({"campaign_id": "reunion_campaign"}, by="phone"),
    "carebridge.reunions_phone.application": Names({"application_id": "reunion_application"}, by="phone"),
    "carebridge.reunions_phone.accept_offer": Names({"application_id": "reunion_application"}, by="phone"),
    "carebridge.reunions_phone.decline_offer": Names({"application_id": "reunion_application"},
                                                     by="phone"),
    "carebridge.reunions_phone.withdraw": Names({"application_id": "reunion_application"},
                                                by="phone"),
    # Reports
    "carebridge.reports.index": Open("calendar, drafts and filings of the actor's scope"),
    "carebridge.reports.templates": Open("built-in templates and those of the actor's scope"),
    "carebridge.reports.template": Names({"template_id": "report_template"}),
    "carebridge.reports.copy_template": Names({"template_id": "report_template"}),
    "carebridge.reports.edit_template": Names({"template_id": "report_template"}),
    "carebridge.reports.new_report": Open("form; the template and unit chosen are checked "
                                          "against the actor's scope"),
    "carebridge.reports.draft": Names({"draft_id": "report_draft"}),
    "carebridge.reports.save_texts": Names({"draft_id": "report_draft"}),
    "carebridge.reports.draft_document": Names({"draft_id": "report_draft"}, fixed={"fmt": "pdf"}),
    "carebridge.reports.file_draft": Names({"draft_id": "report_draft"}),
    "carebridge.reports.delete_draft": Names({"draft_id": "report_draft"}),
    "carebridge.reports.filing": Names({"filing_id": "report_filing"}),
    "carebridge.reports.filing_document": Names({"filing_id": "report_filing"},
                                                fixed={"fmt": "xlsx"}),
    "carebridge.reports.correct": Names({"filing_id": "report_filing"}),
    "carebridge.reports.filed_records": Names({"filing_id": "report_filing"},
                                              fixed={"code": "registry.workers_employed"}),
    "carebridge.reports.chain": Open("the company's whole chain: reports.file on the company's "
                                     "root unit"),
    "carebridge.reports_confirm.index": Open("the actor's own units"),
    "carebridge.reports_confirm.unit": Names({"unit_id": "site"}),
    # Hardship aid
    "carebridge.aid.index": Open("list of the actor's scope"),
    "carebridge.aid.find_applicant": Open("employee number in the query, found within the "
                                          "actor's scope: a key path"),
    "carebridge.aid.apply": Names({"worker_id": "worker"}),
    "carebridge.aid.application": Names({"application_id": "aid_application"}),
    "carebridge.aid.evidence": Names({"application_id": "aid_application",
                                      "evidence_id": "aid_evidence"}),
    "carebridge.aid.reveal_account": Names({"application_id": "aid_application"}),
    "carebridge.aid.resubmit": Names({"application_id": "aid_application"}),
    "carebridge.aid_decisions.decide": Names({"application_id": "aid_application"}),
    "carebridge.aid_decisions.pay": Names({"application_id": "aid_application"}),
    "carebridge.aid_decisions.cancel": Names({"application_id": "aid_application"}),
    "carebridge.aid_decisions.close": Names({"application_id": "aid_application"}),
    "carebridge.aid_chain.chain": Open("the company's approval chains: aid.configure on the "
                                       "company's root unit"),
    "carebridge.aid_phone.mine": Open("the worker's own applications"),
    "carebridge.aid_phone.apply": Open("the worker applies for their own family"),
    "carebridge.aid_phone.application": Names({"application_id": "aid_application"},
                                              by="phone"),
    "carebridge.aid_phone.resubmit": Names({"application_id": "aid_application"}, by="phone"),
    "carebridge.aid_phone.withdraw": Names({"application_id": "aid_application"}, by="phone"),
    "carebridge.aid_funds.index": Open("funds of the actor's subtree and of the units above it"),
    "carebridge.aid_funds.new_fund": Open("form; the unit is chosen among the actor's aid.funds "
                                          "subtree, any other is refused as missing"),
    "carebridge.aid_funds.fund": Names({"fund_id": "aid_fund"}),
    "carebridge.aid_funds.record_income": Names({"fund_id": "aid_fund"}),
    "carebridge.aid_funds.close_fund": Names({"fund_id": "aid_fund"}),
    "carebridge.aid_funds.statement": Names({"fund_id": "aid_fund"}),
    "carebridge.aid_funds.statement_file": Names({"fund_id": "aid_fund"}, fixed={"fmt": "pdf"}),
    "carebridge.aid_funds.reverse_entry": Names({"entry_id": "aid_ledger_entry"}),
    "carebridge.aid_pairings.index": Open("list of the actor's scope"),
    "carebridge.aid_pairings.new": Names({"worker_id": "worker"}),
    "carebridge.aid_pairings.pairing": Names({"pairing_id": "aid_pairing"}),
    "carebridge.aid_pairings.log_contact": Names({"pairing_id": "aid_pairing"}),
    "carebridge.aid_pairings.end": Names({"pairing_id": "aid_pairing"}),
    "carebridge.aid_visits.index": Open("list of the actor's scope"),
    "carebridge.aid_visits.new": Names({"worker_id": "worker"}),
    "carebridge.aid_visits.visit": Names({"visit_id": "aid_visit"}),
    "carebridge.aid_visits.photo": Names({"visit_id": "aid_visit", "photo_id": "aid_visit_photo"}),
    # Family contact
    "carebridge.family_contact_allowances.index": Open("policies of the actor's scope and of the "
                                                       "units above it; the form's units are the "
                                                       "actor's"),
    "carebridge.family_contact_allowances.add_policy": Open("form; the unit is chosen among the "
                                                            "actor's family_contact.allowances "
                                                            "subtree, any other is refused as "
                                                            "missing"),
    "carebridge.family_contact_allowances.grants": Open("list of the actor's scope"),
    "carebridge.family_contact_allowances.batches_index": Open("batches exported for a unit of "
                                                               "the actor's scope, and a form"),
    "carebridge.family_contact_allowances.export": Open("form; the unit is chosen among the "
                                                        "actor's subtree, any other is refused "
                                                        "as missing"),
    # Privacy: the worker's own data and requests, correction requests, impact assessments
    "carebridge.privacy_phone.mine": Open("the worker's own data and correction requests"),
    "carebridge.privacy_phone.download": Open("the worker's own data"),
    "carebridge.privacy_phone.ask": Open("the worker asks about their own data"),
    "carebridge.privacy_phone.correction": Names({"request_id": "privacy_correction"}, by="phone"),
    "carebridge.privacy_corrections.index": Open("requests of the workers of the actor's scope"),
    "carebridge.privacy_corrections.request_page": Names({"request_id": "privacy_correction"}),
    "carebridge.privacy_corrections.made": Names({"request_id": "privacy_correction"}),
    "carebridge.privacy_corrections.refuse": Names({"request_id": "privacy_correction"}),
    "carebridge.privacy_assessments.index": Open("assessments of the actor's scope"),
    "carebridge.privacy_assessments.new": Open("form; the unit is chosen among the actor's units, "
                                               "checked again by the view"),
    "carebridge.privacy_assessments.assessment": Names({"assessment_id": "privacy_assessment"}),
    "carebridge.privacy_assessments.edit": Names({"assessment_id": "privacy_assessment"}),
    "carebridge.privacy_assessments.withdraw": Names({"assessment_id": "privacy_assessment"}),
    "carebridge.privacy_retention.index": Open("the company's retention rules: privacy.retention "
                                               "on the top unit"),
    "carebridge.privacy_retention.run": Open("runs a retention rule (a rule code, not a record) "
                                             "company-wide: privacy.retention on the top unit"),
    "operations.healthz": Open("liveness: names no record, shows no personal data"),
    "operations.readyz": Open("readiness: names no record, shows no personal data"),
    "operations.metrics": Open("Prometheus figures, counts only; a bearer token or loopback"),
    "carebridge.family_contact_allowances.failures": Open("lists of the actor's scope"),
    "carebridge.family_contact_allowances.batch": Names({"batch_id": "contact_batch"}),
    "carebridge.family_contact_allowances.batch_file": Names({"batch_id": "contact_batch"}),
    "carebridge.family_contact_allowances.import_results": Names({"batch_id": "contact_batch"}),
    "carebridge.family_contact_allowances.worker": Names({"worker_id": "worker"}),
    "carebridge.family_contact_phone.allowances": Open("the worker's own allowances"),
    "carebridge.family_contact_rooms.index": Open("rooms of the actor's scope"),
    "carebridge.family_contact_rooms.new_room": Open("form; the site is chosen among the actor's "
                                                     "family_contact.rooms subtree, any other is "
                                                     "refused as missing"),
    "carebridge.family_contact_rooms.edit_room": Names({"room_id": "contact_room"}),
    "carebridge.family_contact_rooms.close_room": Names({"room_id": "contact_room"}),
    "carebridge.family_contact_rooms.schedule": Names({"unit_id": "site"}),
    "carebridge.family_contact_rooms.record_use": Names({"booking_id": "contact_booking"}),
    "carebridge.family_contact_phone_rooms.rooms": Open("the rooms of the worker's own site"),
    "carebridge.family_contact_phone_rooms.book": Names({"room_id": "contact_room"}, by="phone"),
    "carebridge.family_contact_phone_rooms.mine": Open("the worker's own bookings"),
    "carebridge.family_contact_phone_rooms.cancel": Names({"booking_id": "contact_booking"},
                                                          by="phone"),
    "carebridge.family_contact_wifi.index": Open("living areas of the actor's scope"),
    "carebridge.family_contact_wifi.coverage": Open("coverage of the sites of the actor's scope"),
    "carebridge.family_contact_wifi.new_area": Open("form; the site is chosen among the actor's "
                                                    "sites"),
    "carebridge.family_contact_wifi.area": Names({"area_id": "contact_living_area"}),
    "carebridge.family_contact_wifi.edit_area": Names({"area_id": "contact_living_area"}),
    "carebridge.family_contact_wifi.residents": Names({"area_id": "contact_living_area"}),
    # Care team
    "carebridge.care_team.index": Open("list of the actor's scope"),
    "carebridge.care_team.new_member": Open("form; the unit is chosen among the actor's "
                                            "care_team.manage subtree, any other is refused as "
                                            "missing; the employee number is a key path"),
    "carebridge.care_team.member": Names({"member_id": "care_team_member"}),
    "carebridge.care_team.edit_member": Names({"member_id": "care_team_member"}),
    "carebridge.care_team.record_training": Names({"member_id": "care_team_member"}),
    "carebridge.care_team_services.index": Open("list of the actor's scope"),
    "carebridge.care_team_services.find_recipient": Open("employee number in the query, found "
                                                         "within the actor's scope: a key path"),
    "carebridge.care_team_services.new": Names({"worker_id": "worker"}),
    "carebridge.care_team_services.service": Names({"service_id": "care_service"}),
    "carebridge.care_team_services.worker_history": Names({"worker_id": "worker"}),
    "carebridge.care_team_services.child_history": Names({"child_id": "child"}),
    "carebridge.care_team_commendations.index": Open("list of the actor's scope"),
    "carebridge.care_team_commendations.nominate": Open(
        "form; the nominee (employee number, member, unit) is found within the actor's "
        "care_team.commend subtree, any other is refused as missing: a key path"),
    "carebridge.care_team_commendations.commendation": Names(
        {"commendation_id": "care_commendation"}),
    "carebridge.care_team_commendations.decide": Names({"commendation_id": "care_commendation"}),
    # Risk reports
    "carebridge.risk_reports.index": Open("list of the actor's scope"),
    "carebridge.risk_reports.raise_concern": Open("form; the site is chosen among the company's "
                                                  "sites (anyone may report to any site); the "
                                                  "employee number in the query is a key path"),
    "carebridge.risk_reports.raise_for_worker": Names({"worker_id": "worker"}),
    "carebridge.risk_reports.mine": Open("the actor's own (not anonymous) reports"),
    "carebridge.risk_reports.case": Names({"report_id": "risk_report"}),
    "carebridge.risk_reports.police": Names({"report_id": "risk_report"}),
    "carebridge.risk_reports.notice": Names({"report_id": "risk_report"}),
    "carebridge.risk_reports.follow_up": Names({"report_id": "risk_report"}),
    "carebridge.risk_reports.close": Names({"report_id": "risk_report"}),
    "carebridge.risk_reports_phone.mine": Open("the worker's own (not anonymous) reports"),
    "carebridge.risk_reports_phone.raise_concern": Open("the worker raises a concern; the site is "
                                                        "chosen among the company's sites"),
    "carebridge.risk_reports_phone.raised": Open("the confirmation page; names no record"),
    "carebridge.referrals.index": Open("company-wide reference data: the directory is searched "
                                       "by every holder of referrals.view, whatever their unit"),
    "carebridge.referrals.new": Open("form; the unit is chosen among the actor's referrals.manage "
                                     "subtree, any other is refused"),
    "carebridge.referrals.contact": Open("company-wide reference data: every holder of "
                                         "referrals.view opens every entry of the directory; its "
                                         "changes are checked per record (edit, deactivate, "
                                         "activate)"),
    "carebridge.referrals.edit": Names({"contact_id": "referral_contact"}),
    "carebridge.referrals.deactivate": Names({"contact_id": "referral_contact"}),
    "carebridge.referrals.activate": Names({"contact_id": "referral_contact"}),
    # Work near home
    "carebridge.positions.index": Open("openings of the actor's scope"),
    "carebridge.positions.new_opening": Open("form; the site is chosen among the actor's "
                                             "positions.manage subtree, any other is refused"),
    "carebridge.positions.edit_opening": Names({"opening_id": "positions_opening"}),
    "carebridge.positions.close_opening": Names({"opening_id": "positions_opening"}),
    "carebridge.positions.sites": Open("sites of the actor's scope"),
    "carebridge.positions.location": Names({"unit_id": "site"}),
    "carebridge.positions.requests": Open("requests to the openings of the actor's scope"),
    "carebridge.positions.transfer": Names({"request_id": "positions_transfer"}),
    "carebridge.positions.decide": Names({"request_id": "positions_transfer"}),
    "carebridge.positions.worker": Names({"worker_id": "worker"}),
    "carebridge.positions_phone.index": Open("the positions suggested to the worker themself"),
    "carebridge.positions_phone.opening": Open("the company's openings are offered to every worker "
                                               "they are near home for, whatever the site; any "
                                               "other answers 404 like one that does not exist"),
    "carebridge.positions_phone.mine": Open("the worker's own requests"),
    "carebridge.positions_phone.withdraw": Names({"request_id": "positions_transfer"},
                                                 by="phone"),
    # Holiday safety campaigns
    "carebridge.holiday_safety.index": Open("list of the actor's scope"),
    "carebridge.holiday_safety.campaign": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.schedule": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.send": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.close": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.pending": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.remind": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.confirmed": Names({"campaign_id": "holiday_safety_campaign"}),
    "carebridge.holiday_safety.dates": Open("company-wide holiday dates: holiday_safety.configure "
                                            "on the company's root unit"),
    "carebridge.holiday_safety_phone.mine": Open("the worker's own campaigns"),
    "carebridge.holiday_safety_phone.checklist": Names({"campaign_id": "holiday_safety_campaign"},
                                                       by="phone"),
    "carebridge.reports_public.verify": Open("public verification by an unguessable code, no "
                                             "personal data"),
}


def portal_routes(app) -> dict[str, set[str]]:
    """Endpoint → methods of every route but static files."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        routes.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_every_route_declares_its_records(app):
    routes = portal_routes(app)
    undeclared = sorted(set(routes) - set(ROUTES))
    assert not undeclared, f"routes without an access declaration in ROUTES: {undeclared}"
    assert not sorted(set(ROUTES) - set(routes)), "ROUTES names routes that no longer exist"
    for endpoint, rule in ROUTES.items():
        if isinstance(rule, Names):
            arguments = next(r.arguments for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            assert set(rule.args) | set(rule.fixed) == set(arguments), endpoint


# -- the world: site 甲 acts, site 乙 owns the records ------------------------------------------------

@dataclass
class World:
    site_a: object
    site_c: object
    ids: dict[str, object]
    missing: dict[str, object]
    users: dict[Role, object]
    api_secret: str
    worker_a: object
    worker_c: object
    child_c: object
    #: A lecture of site 甲 whose check-in is open.
    lecture_a: object
    #: Records made when a case needs them (:func:`reunion_campaign_of_company`).
    made: dict[str, object] = field(default_factory=dict)


def _build_world(tmp_path, make_unit, make_worker, make_child, make_user, clock) -> World:
    from employer_portal.accounts.services import create_user
    from plugin.access.scope import Scope
    from plugin.access.services import grant_role
    from plugin.aid import pairing as aid_pairing
    from plugin.aid import visits as aid_visits
    from plugin.aid.funds import create_fund, record_income
    from plugin.aid.models import UNRESTRICTED, EntryKind, FundKind, HelperKind
    from plugin.aid.queries import evidence_of
    from plugin.core.clock import local_today
    from plugin.family_contact import batches as contact_batches
    from plugin.family_contact import bookings as contact_bookings
    from plugin.family_contact import grants as contact_grants
    from plugin.family_contact import living_areas
    from plugin.family_contact import policies as contact_policies
    from plugin.family_contact.models import Eligibility as ContactEligibility
    from plugin.guardianship.services import create_agreement
    from plugin.imports.models import ImportKind
    from plugin.imports.services import create_job
    from plugin.pledges import services as pledge_services
    from plugin.pledges.batches import request_batch
    from plugin.privacy import corrections as privacy_corrections
    from plugin.reports import services as report_services
    from plugin.reports.periods import Period, PeriodKind
    from plugin.reports.recipients import Recipient
    from plugin.reunions import services as reunion_services
    from plugin.reunions import visits as reunion_visits
    from plugin.reunions.models import ActivityKind, CampaignKind
    from plugin.worker_notices.models import WorkerNotice

    from .aid_support import PDF_BYTES, file_application
    from .contact_rooms_support import local as contact_local
    from .contact_rooms_support import make_room as make_contact_room
    from .guardianship_support import paper_draft
    from .imports_support import IMPORTER, csv_roster
    from .pledges_support import OFFICER, scan_png

    site_a = make_unit(OrgKind.SITE, name="本部项目部")
    site_c = make_unit(OrgKind.SITE, name="隔壁项目部")
    team_c = make_unit(OrgKind.TEAM, parent=site_c, name="隔壁班组")
    worker_a = make_worker(site_a, employee_number="A1001", name="本部张三", phone="13600001001")
    make_child(worker_a, left_behind=True, name="本部小花")
    make_worker(site_a, employee_number="A1002", name="本部李四", phone="13600001002")
    worker_c = make_worker(site_c, employee_number="C9001", name="隔壁王五", phone="13700009001")
    child_c = make_child(worker_c, left_behind=True, name="隔壁小宝", birth_date="2011-05-05",
                         id_number="110105201105050017")
    lecture_c = make_lecture(site_c, title="隔壁宣讲会", starts_at=clock.now + timedelta(days=2))
    held_c = make_lecture(site_c, title="隔壁宣讲会", starts_at=clock.now - timedelta(minutes=30))
    attendance_c = attend(held_c, worker_c)
    lecturer_c = make_lecturer(site_c, "隔壁讲师")
    agreement_c = create_agreement(worker_c, paper_draft([child_c], carer_name="隔壁照护人",
                                                         starts_on=local_today(),
                                                         ends_on=local_today() + timedelta(days=365),
                                                         signed_on=local_today()),
                                   actor=SYSTEM, today=local_today())
    pledge_c = pledge_services.log_paper_pledge(worker_c, [child_c], local_today(), "李专员", scan_png(),
                                                "image/png", OFFICER)
    batch_c = request_batch(site_c, only_valid=False, verify_url_base="http://localhost/v/", actor=OFFICER)
    roster = csv_roster(tmp_path / "object-access-roster.csv", ["工号", "姓名", "手机号码"],
                        [["C9002", "隔壁新人", "13700009002"]])
    job_c = create_job(roster, roster.name, kind=ImportKind.WORKERS, base_unit=site_c, actor=IMPORTER)
    user_c = create_user("c_hr_user", "隔壁人事", PASSWORD, actor=SYSTEM)
    grant_c = grant_role(user_c.key, Role.HR_OFFICER, site_c, actor=SYSTEM, check_actor=False)
    token_c, _secret_c = issue_token("隔壁对接", site_c, TokenScope.READ_WRITE, actor=SYSTEM)
    notification_c = notify([user_c.key], "隔壁人事的通知")[0]
    notice_c = WorkerNotice(worker_id=worker_c.id, kind="pledges.sign", dedupe_key="world",
                            sent_by=SYSTEM.key, link_endpoint="carebridge.pledges_worker.sign")
    session.add(notice_c)
    session.flush()
    # A 小候鸟 campaign of site 乙: 隔壁王五's approved application brings 隔壁小宝 (a traveller
    # with an ID number), and an activity of the programme at site 乙.
    campaign_c = make_campaign(site_c, {site_c: 5}, kind=CampaignKind.SUMMER_VISIT, name="隔壁小候鸟团聚")
    application_c = reunion_apply(campaign_c, worker_c, children=[child_c], worker=False)
    reunion_services.approve(application_c, actor=SYSTEM)
    traveller_c = application_c.travellers[0]
    activity_c = reunion_visits.add_activity(campaign_c, site_c, ActivityKind.SAFETY_EDUCATION, "隔壁防溺水课",
                                             TRAVEL_FROM, "隔壁项目部会议室", actor=SYSTEM)
    # Reports of site 乙: its own copy of a template, a draft and a filing.
    quarter = Period.containing(PeriodKind.QUARTER, local_today()).previous()
    sasac = next(template for template in report_services.ensure_builtin_templates()
                 if template.recipient is Recipient.SASAC)
    template_c = report_services.copy_template(sasac, SYSTEM, site_c)
    # One figure is enough to name records by: every world files a report.
    report_services.update_template(
        template_c, SYSTEM, name="隔壁报表", text_sections=["work_done"], schedule=None,
        org_unit=site_c,
        lines=[{"code": "registry.workers_employed", "breakdowns": []}])
    draft_c = report_services.create_draft(template_c, site_c, quarter, SYSTEM)
    filing_c = report_services.file_draft(
        report_services.create_draft(template_c, site_c, quarter, SYSTEM), SYSTEM)
    # Hardship aid of site 乙: 隔壁王五's application with evidence, a fund of site 乙 with an
    # entry, a pairing with a contact and a union visit with a photo.
    aid_application_c = file_application(
        worker_c, evidence=[("隔壁诊断书.pdf", "application/pdf", PDF_BYTES)])
    aid_evidence_c = evidence_of(aid_application_c.id)[0]
    aid_fund_c = create_fund(site_c, "隔壁帮扶基金", FundKind.UNION, None, SYSTEM)
    aid_entry_c = record_income(aid_fund_c, EntryKind.ALLOCATION, 100_000, local_today(),
                                UNRESTRICTED, None, None, "隔壁拨款", SYSTEM)
    pairing_c = aid_pairing.create_pairing(worker_c, aid_pairing.PairingInput(
        helper_name="隔壁照护人", helper_kind=HelperKind.VOLUNTEER, helper_phone="13700009001",
        starts_on=local_today() - timedelta(days=10),
        ends_on=local_today() + timedelta(days=355), contact_every_days=7), actor=SYSTEM)
    aid_pairing.log_contact(pairing_c, "visit", local_today(), "隔壁小宝近况", actor=SYSTEM,
                            today=local_today())
    visit_c = aid_visits.record_visit(worker_c, aid_visits.VisitInput(
        visited_on=local_today(), visitors="隔壁人事", notes="隔壁小宝",
        photos=[("隔壁.png", "image/png", scan_png())]), actor=SYSTEM, today=local_today())
    # Family contact of site 乙: its own allowance policy, this month's grants in a carrier
    # batch, a video room with tomorrow's booking, a dormitory with WiFi.
    contact_policies.add_policy_version(site_c, contact_policies.PolicyInput(
        eligibility=ContactEligibility.LEFT_BEHIND_PARENTS, minutes_per_month=300,
        data_mb_per_month=1024, carrier="china_mobile", minute_cost_fen=10, mb_cost_fen=2,
        starts_on=local_today().replace(day=1)), SYSTEM)
    contact_grants.grant_month(local_today(), SYSTEM)
    # Privacy of site 乙: the carrier's impact assessment its batch relies on, and 隔壁王五's
    # correction request.
    assessment_c = make_assessment(site_c, recipient_name="隔壁对接运营商")
    contact_batch_c = contact_batches.export_batch(local_today().replace(day=1), "china_mobile",
                                                   site_c, SYSTEM, assessment_id=assessment_c.id,
                                                   purpose="隔壁报送").batch
    correction_c = privacy_corrections.ask(worker_c, record="隔壁小宝的学校", wrong="隔壁旧校",
                                           right="隔壁新校", actor=SYSTEM)
    contact_room_c = make_contact_room(site_c, name="隔壁聊天室")
    contact_booking_c = contact_bookings.book(contact_room_c, worker_c, contact_local(1, 10),
                                              SYSTEM)
    area_c = living_areas.save_area(None, living_areas.AreaInput("隔壁宿舍", True, local_today(),
                                                                 100),
                                    site=site_c, scope=Scope.company(), actor=SYSTEM,
                                    today=local_today())
    living_areas.assign_residents(area_c, "C9001", scope=Scope.company(), actor=SYSTEM,
                                  today=local_today())
    from plugin.referrals import contacts as referral_contacts

    referral_c = referral_contacts.save_contact(
        None, {"kind": "child_director", "region_code": "511321", "village": "隔壁村",
               "person_name": "隔壁儿童主任", "phone": "13700009003"},
        unit=site_c, scope=Scope.company(), actor=SYSTEM, today=local_today())
    from plugin.care_team import commendations as care_commendations
    from plugin.care_team import members as care_members
    from plugin.care_team import service_records as care_services
    from plugin.care_team.models import CommendationCategory
    from plugin.care_team.models import MemberKind as CareMemberKind
    from plugin.care_team.models import ServiceKind as CareServiceKind
    care_member_c = care_members.add_member(care_members.MemberInput(
        unit=site_c, kind=CareMemberKind.VOLUNTEER, name="隔壁志愿者",
        joined_on=local_today() - timedelta(days=30), phone="13700009001"),
        scope=Scope.company(), actor=SYSTEM, today=local_today())
    care_service_c = care_services.record_service(worker_c, care_services.ServiceInput(
        kind=CareServiceKind.COUNSELLING, occurred_on=local_today(),
        member_ids=[care_member_c.id], child_ids=[child_c.id], description="隔壁小宝近况"),
        actor=SYSTEM, today=local_today())
    care_commendation_c = care_commendations.nominate(care_commendations.NominationInput(
        category=CommendationCategory.MODEL_GUARDIAN, awarding_body="集团工会",
        nominated_on=local_today(), reason="隔壁王五按时联系孩子", employee_number="C9001"),
        scope=Scope.company(), actor=SYSTEM, today=local_today())
    risk_report_c = risk_services.raise_concern(risk_services.ConcernInput(
        situation=Situation.ALONE, facts="隔壁小宝一个人在家，隔壁王五外出务工",
        learned_at=clock.now - timedelta(minutes=10), learned_how=LearnedHow.SAW,
        child_id=child_c.id, child_location="隔壁宿舍"), reporter=SYSTEM,
        reporter_kind=ReporterKind.STAFF, worker=worker_c, children=[child_c])
    from plugin.positions import workplaces as position_workplaces
    from plugin.positions.models import TransferRequest as PositionTransfer

    position_workplaces.save_location(site_c, {"county_code": "511321", "address": "隔壁工地路"},
                                      scope=Scope.company(), actor=SYSTEM)
    position_opening_c = position_workplaces.save_opening(
        None, {"trade": "隔壁钢筋工", "headcount": "5", "starts_on": local_today().isoformat()},
        site=site_c, scope=Scope.company(), actor=SYSTEM, today=local_today())
    position_transfer_c = PositionTransfer(
        worker_id=worker_c.id, opening_id=position_opening_c.id, org_unit_id=site_c.id,
        from_unit_id=worker_c.org_unit_id, note="隔壁王五想回家", requested_on=local_today())
    session.add(position_transfer_c)
    _token_a, api_secret = issue_token("本部对接", site_a, TokenScope.READ_WRITE, actor=SYSTEM)
    users = {role: make_user(role, site_a, username=f"a_{role.value}") for role in Role}
    lecture_a = make_lecture(site_a, title="本部宣讲", starts_at=clock.now - timedelta(minutes=10))
    child_a = worker_a.child_links[0].child
    create_agreement(worker_a, paper_draft([child_a], starts_on=local_today(), signed_on=local_today(),
                                           ends_on=local_today() + timedelta(days=365)),
                     actor=SYSTEM, today=local_today())
    pledge_services.log_paper_pledge(worker_a, [child_a], local_today(), "李专员", scan_png(), "image/png",
                                     OFFICER)
    # Holiday safety of site 乙: its summer campaign, scheduled with 隔壁宣讲会, 隔壁王五 told.
    from plugin.holiday_safety import campaigns as holiday_campaigns
    from plugin.holiday_safety.holidays import HolidayStart
    from plugin.holiday_safety.models import HolidayKind

    holiday_campaign_c = holiday_campaigns.draft_campaign(
        site_c, HolidayStart(HolidayKind.SUMMER, 2027, date(2027, 7, 1), "default"), SYSTEM)
    holiday_campaigns.attach_lecture(holiday_campaign_c, lecture_c, SYSTEM)
    session.commit()  # into the test's savepoint: a refused request rolls its own work back only
    ids = {
        "user": user_c.id, "grant": grant_c.id, "team": team_c.id, "notification": notification_c.id,
        "api_token": token_c.id, "worker": worker_c.id, "child": child_c.id, "import_job": job_c.id,
        "lecture": lecture_c.id, "lecturer": lecturer_c.id, "attendance": attendance_c.id,
        "pledge": pledge_c.id, "pledge_batch": batch_c.id, "agreement": agreement_c.id,
        "worker_number": worker_c.employee_number, "worker_notice": notice_c.id,
        "reunion_campaign": campaign_c.id, "reunion_application": application_c.id,
        "reunion_traveller": traveller_c.id, "reunion_activity": activity_c.id,
        "report_template": template_c.id, "report_draft": draft_c.id,
        "report_filing": filing_c.id, "site": site_c.id,
        "aid_application": aid_application_c.id, "aid_evidence": aid_evidence_c.id,
        "aid_fund": aid_fund_c.id, "aid_ledger_entry": aid_entry_c.id, "aid_pairing": pairing_c.id,
        "aid_visit": visit_c.id, "aid_visit_photo": aid_visits.photos_of(visit_c)[0].id,
        "contact_room": contact_room_c.id, "contact_booking": contact_booking_c.id,
        "contact_living_area": area_c.id, "contact_batch": contact_batch_c.id,
        "referral_contact": referral_c.id,
        "care_team_member": care_member_c.id, "care_service": care_service_c.id,
        "care_commendation": care_commendation_c.id, "risk_report": risk_report_c.id,
        "privacy_assessment": assessment_c.id, "privacy_correction": correction_c.id,
        "holiday_safety_campaign": holiday_campaign_c.id,
        "positions_opening": position_opening_c.id, "positions_transfer": position_transfer_c.id,
    }
    missing = dict.fromkeys(ids, MISSING_ID) | {"worker_number": MISSING_NUMBER}
    return World(site_a, site_c, ids, missing, users, api_secret, worker_a, worker_c, child_c, lecture_a)


@dataclass(frozen=True)
class WorldRecords:
    """The world by ids: built once for a class of tests (:func:`world_records`), loaded into
    each test's own session (:func:`world`), whose changes are rolled back after it."""

    site_a: int
    site_c: int
    ids: dict[str, object]
    missing: dict[str, object]
    users: dict[Role, int]
    api_secret: str
    worker_a: int
    worker_c: int
    child_c: int
    lecture_a: int

    @classmethod
    def of(cls, world: World) -> WorldRecords:
        return cls(world.site_a.id, world.site_c.id, world.ids, world.missing,
                   {role: user.id for role, user in world.users.items()}, world.api_secret,
                   world.worker_a.id, world.worker_c.id, world.child_c.id, world.lecture_a.id)

    def load(self) -> World:
        from employer_portal.accounts.models import User
        from plugin.lectures.models import LectureSession
        from plugin.org.models import OrgUnit
        from plugin.registry.models import Child, Worker

        return World(session.get(OrgUnit, self.site_a), session.get(OrgUnit, self.site_c),
                     dict(self.ids), dict(self.missing),
                     {role: session.get(User, user_id) for role, user_id in self.users.items()},
                     self.api_secret, session.get(Worker, self.worker_a),
                     session.get(Worker, self.worker_c), session.get(Child, self.child_c),
                     session.get(LectureSession, self.lecture_a))


def build_world_records(app, connection, folder) -> WorldRecords:
    """Site 甲 and site 乙 with a record of every kind, committed into ``connection``'s
    transaction (see ``shared_transaction``) at the time :func:`clock` starts at."""
    state = app.extensions["carebridge"]
    state.clock = frozen = FrozenClock(CLOCK_START)
    try:
        with app.test_request_context(), joined_session(app, connection) as build:
            company = create_test_company()
            world = _build_world(folder, unit_maker(company), factories.make_worker,
                                 factories.make_child, user_maker(company), frozen)
            records = WorldRecords.of(world)
            build.commit()
    finally:
        state.clock = system_clock
    return records


@pytest.fixture(scope="class")
def world_records(app, shared_transaction, tmp_path_factory) -> WorldRecords:
    """The world, built once for the class of tests: a build costs ~0.2 s, the cases are
    hundreds."""
    return build_world_records(app, shared_transaction, tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(world_records, clock, app_context) -> World:
    """The world in this test's session; the test's changes are rolled back after it."""
    return world_records.load()


# -- comparing answers and tables --------------------------------------------------------------

#: Tables that log attempts rather than hold records: a refused request may add to them.
LOG_TABLE_WORDS = ("audit", "attempt", "throttle", "limit", "failure")


_RECORD_TABLES: dict[str, list] = {}


def record_tables(connection) -> list:
    """Every table that holds records (reflected once per database: migrations made them)."""
    dialect = connection.dialect.name
    if dialect not in _RECORD_TABLES:
        metadata = MetaData()
        metadata.reflect(connection)
        _RECORD_TABLES[dialect] = [
            table for table in metadata.sorted_tables
            if not any(word in table.name for word in LOG_TABLE_WORDS) and "alembic" not in table.name]
    return _RECORD_TABLES[dialect]


def table_snapshot() -> dict[str, tuple[int, str]]:
    session.flush()
    connection = session.connection()
    return table_fingerprints(connection, record_tables(connection))


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def leaked(body: str, asked: str = "") -> list[str]:
    """Site 乙's names and numbers in ``body``, but for those the actor typed (``asked``):
    an answer may repeat the key it was given."""
    return [marker for marker in MARKERS if marker in body and marker not in asked]


#: Flask-Login's "strong" session identifier of the test client (its address and user agent),
#: read once from a real sign-in.
_CLIENT_IDENTIFIER: list[str] = []


def staff_client(app, user):
    """A browser signed in as ``user``: the session Flask-Login writes at sign-in. Only the first
    one really signs in (a sign-in request per role and route would make this test slow)."""
    client = app.test_client()
    if not _CLIENT_IDENTIFIER:
        page = client.get("/login")
        response = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                               "username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        with client.session_transaction() as cookie_session:
            _CLIENT_IDENTIFIER.append(cookie_session["_id"])
    else:
        with client.session_transaction() as cookie_session:
            cookie_session.update(_user_id=user.get_id(), _fresh=True, _id=_CLIENT_IDENTIFIER[0])
    # Any page in the layout carries the sign-out form's token; an unknown address's page is the
    # cheapest (the dashboard computes its figures).
    client.csrf = csrf_token(client.get("/no-such-page").text)
    return client


def phone_client(app, worker):
    from .attendance_support import remember_phone

    client = app.test_client()
    remember_phone(client, worker)
    client.csrf = csrf_token(client.get("/w/contacts").text)
    return client


def url_for_rule(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def answer(client, method: str, url: str, rule: Names, api_secret: str | None):
    if rule.by == "api":
        headers = {"Authorization": f"Bearer {api_secret}"}
        return client.open(url, method=method, headers=headers,
                           json=rule.body if method in ("PUT", "POST") else None)
    data = {"csrf_token": client.csrf} if method == "POST" else None
    return client.open(url, method=method, data=data)


RECORD_ROUTES = sorted(endpoint for endpoint, rule in ROUTES.items() if isinstance(rule, Names))


class TestRecordsNamedInTheAddress:
    """The cases share one world, built once (:func:`world_records`)."""

    @pytest.mark.parametrize("endpoint", RECORD_ROUTES)
    def test_another_subtrees_record_is_answered_as_if_it_did_not_exist(self, app, world, endpoint):
        rule = ROUTES[endpoint]
        methods = portal_routes(app)[endpoint]
        if rule.by == "staff":
            actors = [(role.value, staff_client(app, user)) for role, user in world.users.items()]
        elif rule.by == "phone":
            actors = [("worker", phone_client(app, world.worker_a))]
        else:
            actors = [("api", app.test_client())]
        theirs = url_for_rule(app, endpoint, {arg: world.ids[kind] for arg, kind in rule.args.items()}
                              | rule.fixed)
        nobodys = url_for_rule(app, endpoint, {arg: world.missing[kind] for arg, kind in rule.args.items()}
                               | rule.fixed)
        problems = []
        before = table_snapshot()
        for who, client in actors:
            for method in sorted(methods):
                response = answer(client, method, theirs, rule, world.api_secret)
                body = response.get_data(as_text=True)
                after = table_snapshot()
                if changed := changed_tables(before, after):
                    problems.append(f"{who} {method} {theirs}: changed {changed}")
                before = after
                if markers := leaked(body, asked=theirs):
                    problems.append(f"{who} {method} {theirs}: shows {markers}")
                if response.status_code >= 500:
                    problems.append(f"{who} {method} {theirs}: {response.status_code}")
                if rule.creates_missing and method in ("PUT", "POST"):
                    if response.status_code < 400:
                        problems.append(f"{who} {method} {theirs}: accepted ({response.status_code})")
                    continue
                missing = answer(client, method, nobodys, rule, world.api_secret)
                if missing.status_code != response.status_code:
                    problems.append(f"{who} {method} {theirs}: {response.status_code}, but "
                                    f"{missing.status_code} for a record that does not exist")
        assert not problems, "\n".join(problems)


# -- natural keys in forms, queries, files and bodies ---------------------------------------------

def their_rows(world) -> dict[str, list]:
    """Site 乙's worker and child as stored, with every parent link that touches them."""
    connection = session.connection()
    session.flush()
    worker_id, child_id = world.worker_c.id, world.child_c.id
    rows = {}
    for name, sql in {
        "worker": "SELECT * FROM cb_worker WHERE id = :worker",
        "child": "SELECT * FROM cb_child WHERE id = :child",
        "links": "SELECT * FROM cb_child_parent WHERE child_id = :child OR worker_id = :worker "
                 "ORDER BY id",
        "attendance": "SELECT * FROM cb_attendance WHERE worker_id = :worker ORDER BY id",
    }.items():
        rows[name] = [repr(tuple(row)) for row in connection.execute(
            text(sql), {"worker": worker_id, "child": child_id})]
    return rows


@dataclass(frozen=True)
class KeyPath:
    """A request that names a record by a natural key. ``send(app, world, key)`` makes the
    request; it is sent with site 乙's key (``theirs``), which must change none of 乙's rows and
    name none of 乙's people, and with a key of the actor's own subtree or a new one
    (``control``), which must be accepted (``accepted(response, world)``) — so the case really
    reaches the code that resolves the key. ``same_as_missing`` also sends ``missing`` and
    requires the same status and (keys aside) the same text."""

    send: Callable
    theirs: Callable
    control: Callable
    accepted: Callable
    #: The resolvers (module:function, see natural_key_resolvers) this path goes through.
    covers: tuple[str, ...]
    missing: Callable | None = None


def id_number(first17: str) -> str:
    from plugin.registry.idnumber import check_character

    return first17 + check_character(first17)


def _hr(app, world):
    return staff_client(app, world.users[Role.HR_OFFICER])


def _new_worker(app, world, number):
    client = _hr(app, world)
    return client.post("/workers/new", data={"csrf_token": client.csrf, "employee_number": number,
                                             "name": "新来的", "placement-unit": world.site_a.id})


def _new_child(app, world, values):
    client = _hr(app, world)
    return client.post(f"/workers/{world.worker_a.id}/children/new", data={
        "csrf_token": client.csrf, "name": "新登记的孩子", "birth_date": "2012-06-01",
        "parent_role": "父亲", "lives_in_home_area": "是", **values})


def _import(app, world, kind: str, header: list[str], row: list[str]):
    from plugin.imports.models import ImportJob
    from plugin.imports.processing import run_import

    from .imports_support import csv_roster

    client = _hr(app, world)
    # A directory of its own: the SQLite and time-travelling suites run at the same time.
    with tempfile.TemporaryDirectory() as directory:
        path = csv_roster(Path(directory) / f"key-path-{kind}.csv", header, [row])
        with path.open("rb") as handle:
            response = client.post("/imports/", data={
                "csrf_token": client.csrf, "kind": kind, "unit": world.site_a.id,
                "file": (handle, path.name)}, content_type="multipart/form-data")
    job = session.execute(select(ImportJob).order_by(ImportJob.id.desc())).scalars().first()
    assert response.status_code == 302 and job is not None, response.text
    run_import(job.id)
    session.expire_all()
    page = client.get(f"/imports/{job.id}")
    errors = client.get(f"/imports/{job.id}/errors")
    page.job = session.get(ImportJob, job.id)
    page.combined_text = page.text + errors.get_data(as_text=True)
    return page


def _lecture_a(world):
    return world.lecture_a


def _attendance_count(lecture) -> int:
    return session.execute(text("SELECT count(*) FROM cb_attendance WHERE session_id = :id"),
                           {"id": lecture.id}).scalar_one()


def _manual_entry(app, world, worker_id):
    lecture = _lecture_a(world)
    client = staff_client(app, world.users[Role.SITE_MANAGER])
    response = client.post(f"/attendance/sessions/{lecture.id}/manual",
                           data={"csrf_token": client.csrf, "worker_id": str(worker_id)},
                           follow_redirects=True)
    response.attended = _attendance_count(lecture)
    return response


def _bulk_fill(app, world, child_id):
    client = _hr(app, world)
    return client.post("/children/review/fill", data={
        "csrf_token": client.csrf, "fact": "lives_in_home_area", "value": "是", "child": str(child_id)})


def _child_to_review(world):
    """A child of site 甲 whose residence is not recorded (its categories wait for it)."""
    from . import factories

    return factories.make_child(world.worker_a, name="待核实的孩子", lives_in_home_area="").id


def _paper_sheet(app, world, number):
    lecture = _lecture_a(world)
    client = staff_client(app, world.users[Role.SITE_MANAGER])
    response = client.post(f"/attendance/sessions/{lecture.id}/paper-sheet",
                           data={"csrf_token": client.csrf, "lines": number, "default_time": "10:00"},
                           follow_redirects=True)
    response.attended = _attendance_count(lecture)
    return response


def _badge_scan(app, world, worker):
    from plugin.attendance.codes import badge_code
    from plugin.attendance.services import badge_key
    from plugin.core.clock import utcnow

    lecture = _lecture_a(world)
    client = staff_client(app, world.users[Role.SITE_MANAGER])
    worker_id = worker if isinstance(worker, int) else worker.id
    response = client.post(f"/attendance/sessions/{lecture.id}/scans", headers={"X-CSRFToken": client.csrf},
                           json={"scans": [{"nonce": secrets.token_hex(8), "code": badge_code(worker_id, badge_key()),
                                            "scanned_at": int(utcnow().timestamp() * 1000)}]})
    response.attended = _attendance_count(lecture)
    return response


def reunion_campaign_of_company(world):
    """An open Spring Festival campaign of the whole company with places at both sites: it
    reaches the actors and the workers of site 甲, and holds site 乙's workers (made once)."""
    if "reunion_campaign" not in world.made:
        company = world.site_a.parent
        world.made["reunion_campaign"] = make_campaign(company, {world.site_a: 5, world.site_c: 5},
                                                       name="集团春节返乡")
        session.commit()  # into the test's savepoint: a refused request rolls its own work back only
    return world.made["reunion_campaign"]


def _union(app, world):
    return staff_client(app, world.users[Role.UNION_OFFICER])


def _new_campaign_for_unit(app, world, unit_id):
    response = _union(app, world).get(f"/reunions/new?unit={unit_id}")
    # The page's own address (the language switch's way back) is not an answer about the unit.
    response.combined_text = response.get_data(as_text=True).replace(f"unit%3D{unit_id}", "unit%3DKEY")
    return response


def _api(app, world, method, url, body):
    return app.test_client().open("/api/v1" + url, method=method, json=body,
                                  headers={"Authorization": f"Bearer {world.api_secret}"})


def _contact_residents(app, world, number):
    """The residents form of a dormitory of site 甲 (made once), as its union officer."""
    from plugin.access.scope import Scope
    from plugin.core.clock import local_today
    from plugin.family_contact import living_areas

    if "contact_area" not in world.made:
        world.made["contact_area"] = living_areas.save_area(
            None, living_areas.AreaInput("本部宿舍", True, local_today(), 100), site=world.site_a,
            scope=Scope.company(), actor=SYSTEM, today=local_today())
        session.commit()  # into the test's savepoint: a refused request rolls its own work back only
    client = _union(app, world)
    return client.post(f"/contact/wifi/areas/{world.made['contact_area'].id}/residents",
                       data={"csrf_token": client.csrf, "numbers": number})


def _care_member(app, world, number):
    client = _union(app, world)
    return client.post("/care-team/members/new", data={
        "csrf_token": client.csrf, "unit": str(world.site_a.id), "kind": "volunteer",
        "name": "新志愿者", "joined_on": "2026-11-01", "employee_number": number})


def _care_nomination(app, world, number):
    client = _union(app, world)
    return client.post("/care-team/commendations/new", data={
        "csrf_token": client.csrf, "category": "model_guardian", "employee_number": number,
        "awarding_body": "集团工会", "nominated_on": "2026-11-01", "reason": "按时与孩子联系"})


KEY_PATHS: dict[str, KeyPath] = {
    "risk report for a worker: employee number": KeyPath(
        send=lambda app, w, number: _hr(app, w).get(
            f"/risk-reports/raise?employee_number={number}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001", missing=lambda w: "Z99999",
        accepted=lambda r, w: r.status_code == 302 and
        f"/risk-reports/workers/{w.worker_a.id}/raise" in r.headers["Location"],
        covers=("plugin.registry.services:find_worker",)),
    "care team member form: employee number": KeyPath(
        send=_care_member, theirs=lambda w: "C9001", control=lambda w: "A1002",
        missing=lambda w: "Z99999", accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.registry.services:find_worker",)),
    "care service recipient: employee number": KeyPath(
        send=lambda app, w, number: _union(app, w).get(
            f"/care-team/services/new?employee_number={number}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001", missing=lambda w: "Z99999",
        accepted=lambda r, w: r.status_code == 302
        and f"/care-team/services/new/{w.worker_a.id}" in r.headers["Location"],
        covers=("plugin.registry.services:find_worker",)),
    "care team nomination: employee number": KeyPath(
        send=_care_nomination, theirs=lambda w: "C9001", control=lambda w: "A1001",
        missing=lambda w: "Z99999", accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.registry.services:find_worker",)),
    "living area residents: employee number": KeyPath(
        send=_contact_residents, theirs=lambda w: "C9001", control=lambda w: "A1002",
        missing=lambda w: "Z99999", accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.family_contact.living_areas:assign_residents",)),
    "worker form: employee number": KeyPath(
        send=_new_worker, theirs=lambda w: "C9001", control=lambda w: "A2002",
        accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.registry.services:worker_holding",)),
    "child form: ID number": KeyPath(
        send=lambda app, w, number: _new_child(app, w, {"id_number": number}),
        theirs=lambda w: "110105201105050017", control=lambda w: id_number("11010520120601002"),
        accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.registry.services:_find_child",)),
    "child form: other parent": KeyPath(
        send=lambda app, w, number: _new_child(app, w, {"other_parent_employee_number": number,
                                                        "parent_role": "父亲"}),
        theirs=lambda w: "C9001", control=lambda w: "A1002",
        accepted=lambda r, w: r.status_code == 302,
        covers=("plugin.registry.services:find_worker",)),
    "workers roster: employee number": KeyPath(
        send=lambda app, w, number: _import(app, w, "workers", ["工号", "姓名", "手机号码"],
                                             [number, "冒名顶替", "13500000000"]),
        theirs=lambda w: "C9001", control=lambda w: "A3003",
        accepted=lambda r, w: r.job.created_count == 1,
        covers=("plugin.registry.services:WorkerLookup.__init__",)),
    "children roster: parent": KeyPath(
        send=lambda app, w, number: _import(app, w, "children", ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期"],
                                             [number, "父亲", "新来的孩子", "2015-01-01"]),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: r.job.created_count == 1,
        covers=("plugin.imports.batching:BatchInserts._create_new_children_at_once",
                "plugin.registry.services:find_worker")),
    "children roster: ID number": KeyPath(
        send=lambda app, w, number: _import(app, w, "children", ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期",
                                                                  "身份证号码"],
                                             ["A1001", "父亲", "冒名的孩子", "2011-05-05", number]),
        theirs=lambda w: "110105201105050017", control=lambda w: id_number("11010520110505003"),
        accepted=lambda r, w: r.job.created_count == 1,
        covers=("plugin.imports.batching:BatchInserts._create_new_children_at_once",
                "plugin.registry.services:_find_child")),
    "agreement search: employee number": KeyPath(
        send=lambda app, w, number: _hr(app, w).get(f"/guardianship/agreements/new?employee_number={number}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001", missing=lambda w: "Z99999",
        accepted=lambda r, w: r.status_code == 302 and "/agreements/new" in r.headers["Location"]
        and str(w.worker_a.id) in r.headers["Location"],
        covers=("plugin.registry.services:find_worker",)),
    "manual attendance: worker id": KeyPath(
        send=_manual_entry, theirs=lambda w: w.worker_c.id, control=lambda w: w.worker_a.id,
        missing=lambda w: MISSING_ID, accepted=lambda r, w: r.attended == 1,
        covers=()),  # an id in a form: no natural key
    "presumption bulk fill: child id": KeyPath(
        send=_bulk_fill, theirs=lambda w: w.child_c.id, control=_child_to_review,
        missing=lambda w: MISSING_ID, accepted=lambda r, w: r.status_code == 302,
        covers=()),  # an id in a form: no natural key
    "paper sheet: employee number": KeyPath(
        send=_paper_sheet, theirs=lambda w: "C9001", control=lambda w: "A1001",
        missing=lambda w: "Z99999", accepted=lambda r, w: r.attended == 1,
        covers=("plugin.attendance.queries:workers_by_number",)),
    "badge scan: badge code": KeyPath(
        send=_badge_scan, theirs=lambda w: w.worker_c, control=lambda w: w.worker_a,
        missing=lambda w: MISSING_ID, accepted=lambda r, w: r.attended == 1,
        covers=("plugin.attendance.scans:_badge_worker",)),
    "worker list: search": KeyPath(
        send=lambda app, w, query: _hr(app, w).get(f"/workers/?q={query}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: "本部张三" in r.text,
        covers=("plugin.registry.queries:_search_condition",)),
    "agreement list: search": KeyPath(
        send=lambda app, w, query: _hr(app, w).get(f"/guardianship/agreements/?q={query}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: "本部张三" in r.text,
        covers=("plugin.guardianship.queries:agreements_statement",)),
    "agreement export: search": KeyPath(
        send=lambda app, w, query: _hr(app, w).get(f"/guardianship/agreements/export.csv?q={query}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: "本部张三" in r.text,
        covers=("plugin.guardianship.queries:agreements_statement",)),
    "worker export: search": KeyPath(
        send=lambda app, w, query: _hr(app, w).get(f"/workers/export.csv?q={query}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: "本部张三" in r.text,
        covers=("plugin.registry.queries:_search_condition",)),
    "pledge list: search": KeyPath(
        send=lambda app, w, query: _hr(app, w).get(f"/pledges/?q={query}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: "本部张三" in r.text,
        covers=("plugin.pledges.queries:search_pledges",)),
    "user list: search": KeyPath(
        send=lambda app, w, query: staff_client(app, w.users[Role.ADMIN]).get(f"/users/?q={query}"),
        theirs=lambda w: "c_hr_user", control=lambda w: "a_hr_officer",
        accepted=lambda r, w: "a_hr_officer" in r.text,
        covers=("employer_portal.accounts.queries:list_users",)),
    "API child: parent": KeyPath(
        send=lambda app, w, number: _api(app, w, "PUT", "/children", {
            "parent_employee_number": number, "parent_role": "父亲", "name": "接口登记的孩子",
            "birth_date": "2014-02-02"}),
        theirs=lambda w: "C9001", control=lambda w: "A1001",
        accepted=lambda r, w: r.status_code in (200, 201),
        covers=("plugin.registry.services:find_worker",)),
    "API child: ID number": KeyPath(
        send=lambda app, w, number: _api(app, w, "PUT", "/children", {
            "parent_employee_number": "A1001", "parent_role": "父亲", "name": "接口登记的孩子",
            "birth_date": "2011-05-05", "id_number": number}),
        theirs=lambda w: "110105201105050017", control=lambda w: id_number("11010520110505003"),
        accepted=lambda r, w: r.status_code in (200, 201),
        covers=("plugin.registry.services:_find_child",)),
    "reunion application for a worker: employee number": KeyPath(
        send=lambda app, w, number: _union(app, w).get(
            f"/reunions/{reunion_campaign_of_company(w).id}/apply?employee_number={number}"),
        theirs=lambda w: "C9001", control=lambda w: "A1001", missing=lambda w: "Z99999",
        accepted=lambda r, w: r.status_code == 200 and 'id="worker"' in r.text and "本部张三" in r.text,
        covers=("plugin.registry.services:find_worker",)),
    "new reunion campaign: unit": KeyPath(
        send=_new_campaign_for_unit,
        theirs=lambda w: w.site_c.id, control=lambda w: w.site_a.id, missing=lambda w: MISSING_ID,
        accepted=lambda r, w: r.status_code == 200 and f'name="quota-{w.site_a.id}"' in r.text,
        covers=()),  # a unit id in the query: no natural key
    "API workers batch: employee number": KeyPath(
        send=lambda app, w, number: _api(app, w, "POST", "/workers/batch", {
            "workers": [{"employee_number": number, "name": "接口冒名"}]}),
        theirs=lambda w: "C9001", control=lambda w: "A4004",
        accepted=lambda r, w: r.status_code == 200 and "A4004" in r.text and '"created"' in r.text,
        covers=("plugin.registry.services:WorkerLookup.__init__",)),
}


def _body(response) -> str:
    return getattr(response, "combined_text", None) or response.get_data(as_text=True)


class TestNaturalKeys:
    """The cases share one world, built once (:func:`world_records`)."""

    @pytest.mark.parametrize("name", sorted(KEY_PATHS))
    def test_a_natural_key_of_another_subtree_reaches_nothing(self, app, world, name):
        case = KEY_PATHS[name]
        theirs = case.theirs(world)
        before = their_rows(world)
        response = case.send(app, world, theirs)
        after = their_rows(world)
        body = _body(response)
        asked = str(theirs if not hasattr(theirs, "employee_number") else theirs.employee_number)
        assert response.status_code < 500, body
        assert before == after, f"site 乙's records changed: {changed_tables(before, after)}"
        assert not leaked(body, asked=asked), leaked(body, asked=asked)
        assert not case.accepted(response, world), "site 乙's key was accepted"
        if case.missing is not None:
            missing_key = case.missing(world)
            nobody = case.send(app, world, missing_key)
            assert nobody.status_code == response.status_code
            # Typed keys may be echoed back; ids are not (and short numbers would scrub too much).
            keys = [str(key) for key in (asked, missing_key) if isinstance(key, str) and len(key) >= 5]
            scrub = re.compile("|".join(map(re.escape, keys)) or "(?!)")
            ours, nobodys = (scrub.sub("KEY", _strip_volatile(text_)).splitlines()
                             for text_ in (body, _body(nobody)))
            assert ours == nobodys, "\n".join(difflib.unified_diff(nobodys, ours, "no such key", "their key",
                                                                   lineterm="", n=1))
        control = case.send(app, world, case.control(world))
        assert case.accepted(control, world), f"the control request was refused: {_errors_of(_body(control))}"


def _strip_volatile(html: str) -> str:
    """Tokens and counters that differ between two identical requests."""
    return re.sub(r'(csrf_token" (type="hidden" )?value="|data-[a-z-]*time[a-z-]*="|"nonce":")[^"]*"', "",
                  html)


def _errors_of(body: str) -> str:
    """The error messages of a page (or the whole body when it is not a page)."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>\s*([^<]+)', body)
    return "; ".join(message.strip() for message in found) or body[:500]


# -- which code resolves natural keys ------------------------------------------------------------

#: Columns that identify a record by something other than its id.
NATURAL_KEYS = {"employee_number", "id_number_index", "verification_code", "token_hash", "secret_hash",
                "username", "prefix", "code_hash"}
#: Functions that turn a code into a record id.
KEY_CALLS = {"badge_worker_id"}
#: Calls that mention a key column without looking a record up by it.
NOT_LOOKUPS = {"select", "order_by", "group_by", "label", "Index", "prefix_searched", "distinct", "count",
               "max", "min", "load_only", "with_only_columns", "add_columns", "returning",
               "UniqueConstraint", "mapped_column"}

#: Resolvers that are not scoped by design, and why.
PUBLIC_BY_DESIGN = {
    "employer_portal.accounts.services:check_employee_number_free":
        "an account's employee number must be unique: says only that another account holds it",
    "employer_portal.accounts.services:get_user_by_username": "staff sign-in: uniform answers, throttled",
    "employer_portal.accounts.services:sign_in": "staff sign-in: uniform answers, throttled",
    "plugin.api_tokens.services:authenticate": "an HR system's own token secret",
    "plugin.attendance.services:first_seen": "the phone's own remembered-device token",
    "plugin.attendance.venue_scan:_counted_and_named": "the phone's own remembered-device token",
    "plugin.attendance.venue_scan:_guarded_select": "the phone's own remembered-device token",
    "plugin.attendance.venue_scan:_scanning_worker": "the phone's own remembered-device token",
    "plugin.guardianship.queries:agreement_by_code": "public check page: a random code, shows masked names",
    "plugin.pledges.queries:pledge_by_code": "public check page: a random code, shows masked names",
    "plugin.worker_access.services:_known": "a worker's own sign-in: uniform answers, throttled",
    "plugin.worker_access.services:forget_device": "the phone's own remembered-device token",
    "plugin.worker_access.services:send_code_by_text": "a worker's own sign-in: uniform answers, throttled",
    "plugin.worker_access.services:worker_for_token": "the phone's own remembered-device token",
}


def natural_key_resolvers() -> set[str]:
    """``module:function`` of every function in the product that looks a record up by a natural
    key column (compares it, ``in_``/``like`` on it) or decodes a badge code."""
    found: set[str] = set()
    for package in ("plugin", "integrations", "employer_portal"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            _collect(ast.parse(path.read_text(encoding="utf-8")), module, "", found)
    return found


def _collect(node, module: str, owner: str, found: set[str]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            _collect(child, module, f"{owner}.{child.name}" if owner else child.name, found)
            continue
        if owner and _resolves(child):
            found.add(f"{module}:{owner}")
        _collect(child, module, owner, found)


def _call_name(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def _key_column(node) -> bool:
    if isinstance(node, ast.Attribute):
        return (node.attr in NATURAL_KEYS and isinstance(node.value, ast.Name)
                and node.value.id[:1].isupper())
    if isinstance(node, ast.Call):
        return _call_name(node) not in NOT_LOOKUPS and any(_key_column(arg) for arg in node.args)
    return False


def _resolves(node) -> bool:
    if isinstance(node, ast.Compare):
        return any(_key_column(side) for side in (node.left, *node.comparators))
    if isinstance(node, ast.Call):
        if _call_name(node) in KEY_CALLS:
            return True
        if _call_name(node) in NOT_LOOKUPS:
            return False
        method_on_key = isinstance(node.func, ast.Attribute) and _key_column(node.func.value)
        return method_on_key or any(_key_column(arg) for arg in node.args)
    return False


def test_every_natural_key_resolver_is_covered():
    resolvers = natural_key_resolvers()
    covered = {name for case in KEY_PATHS.values() for name in case.covers}
    assert "plugin.registry.services:find_worker" in resolvers  # the scan itself works
    uncovered = sorted(resolvers - covered - set(PUBLIC_BY_DESIGN))
    assert not uncovered, ("code that looks records up by a natural key, with no case in KEY_PATHS "
                           f"and not in PUBLIC_BY_DESIGN: {uncovered}")
    stale = sorted((covered | set(PUBLIC_BY_DESIGN)) - resolvers)
    assert not stale, f"KEY_PATHS or PUBLIC_BY_DESIGN name code that resolves no natural key: {stale}"
