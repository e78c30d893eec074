"""A refused request stores nothing: every form that can refuse, found in the URL map.

For every route that takes a POST (or a PUT), :data:`REFUSALS` declares a submission its form or
its service refuses (by default the CSRF token and nothing else) and the status it answers (422:
the form shown again). The route is called as someone who may use it: a company-wide
administrator, worker 甲's phone, a visitor who is not signed in, or the HR API token of site 甲
(the records come from the world of :mod:`tests.test_object_access`, whose :data:`ROUTES` says
which URL argument names which record). Every table, the audit log included, must be exactly as
it was before. A route without a declaration fails :func:`test_every_form_route_declares_its_refusal`:
declare it, or exempt it in :data:`EXEMPT` with the reason.

Then the regression that led here: a worker form refused for an ID number already registered
used to leave a worker behind without its ID number and its audit row, so the corrected form was
refused as "employee number taken".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import MetaData, func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.registry.models import Worker

from .conftest import csrf_token, submit, user_maker
from .support import table_fingerprints
from .test_object_access import (
    ROUTES,
    Names,
    World,
    WorldRecords,
    build_world_records,
    id_number,
    phone_client,
    portal_routes,
    reunion_campaign_of_company,
    staff_client,
    url_for_rule,
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# -- the declarations ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Refused:
    """How a request to the route is refused, and what it then answers.

    ``body`` is the form's fields besides the CSRF token (``csrf=False`` leaves the token out: the
    refusal of a button that has no other input), or the JSON of an API or upload call
    (``json=True``). ``by``: "staff" (a company-wide administrator), "phone" (worker 甲's
    remembered phone), "anonymous" or "api" (the read-write token of site 甲); by default what
    :data:`ROUTES` says, else "staff". ``args(world, context)`` gives URL arguments when the
    record :data:`ROUTES` names is not one this refusal needs; ``setup(world, context)`` prepares
    records first and returns URL arguments. A status other than 422 says ``why``.
    """

    body: dict = field(default_factory=dict)
    status: int = 422
    by: str | None = None
    json: bool = False
    csrf: bool = True
    args: Callable | None = None
    setup: Callable | None = None
    #: False for the first-run set-up, which exists only until a company does.
    needs_company: bool = True
    why: str = ""


BUTTON = "a button: its only input is the CSRF token, refused when missing"
FLASHED = "refused by the service; the redirect's page shows the message"


def _aid_application_of_worker_a(world, context):
    from .aid_support import file_application

    return {"application_id": file_application(world.worker_a).id}


def _contact_room_of_worker_a(world, context):
    from .contact_rooms_support import make_room

    return {"room_id": make_room(world.site_a, name="本部聊天室").id}


def _started_contact_booking_of_worker_a(world, context):
    """Worker 甲's booking of today's 09:30 slot, begun half an hour ago: too late to cancel."""
    from datetime import timedelta

    from plugin.family_contact.models import BookingStatus, RoomBooking

    from .contact_rooms_support import local, make_room

    room = make_room(world.site_a, name="本部聊天室")
    booking = RoomBooking(room_id=room.id, worker_id=world.worker_a.id, starts_at=local(0, 9, 30),
                          ends_at=local(0, 9, 30) + timedelta(minutes=30),
                          status=BookingStatus.BOOKED, booked_by="tests")
    session.add(booking)
    session.flush()
    return {"booking_id": booking.id}


def _correction_of_worker_a(world, context):
    from plugin.core.host import Actor
    from plugin.privacy import corrections

    request = corrections.ask(world.worker_a, record="我的手机号", wrong="旧号", right="新号",
                              actor=Actor(key=f"worker:{world.worker_a.id}", name="甲"))
    return {"request_id": request.id}


def _assessment_of_site_a(world, context):
    from .privacy_subject_support import make_assessment

    return {"assessment_id": make_assessment(world.site_a).id}


def _holiday_campaign_of_worker_a(world, context):
    """Site 甲's summer campaign, scheduled with 本部宣讲: worker 甲 is told (a child of 10)."""
    from datetime import date

    from plugin.holiday_safety import campaigns
    from plugin.holiday_safety.holidays import HolidayStart
    from plugin.holiday_safety.models import HolidayKind

    from .conftest import SYSTEM

    campaign = campaigns.draft_campaign(
        world.site_a, HolidayStart(HolidayKind.SUMMER, 2027, date(2027, 7, 1), "default"), SYSTEM)
    campaigns.attach_lecture(campaign, world.lecture_a, SYSTEM)
    return {"campaign_id": campaign.id}


def _withdrawn_transfer_of_worker_a(world, context):
    """Worker 甲's request to an opening of site 乙, withdrawn already: withdrawing again is
    refused."""
    from datetime import date

    from plugin.positions.models import TransferRequest, TransferStatus

    request = TransferRequest(worker_id=world.worker_a.id, opening_id=world.ids["positions_opening"],
                              org_unit_id=world.site_c.id, from_unit_id=world.site_a.id,
                              requested_on=date(2026, 11, 22), status=TransferStatus.WITHDRAWN)
    session.add(request)
    session.flush()
    return {"request_id": request.id}


def _revoked_token(world, context):
    from plugin.api_tokens.models import ApiToken
    from plugin.api_tokens.services import revoke_token

    from .conftest import SYSTEM

    revoke_token(session.get(ApiToken, world.ids["api_token"]), actor=SYSTEM)
    return {"token_id": world.ids["api_token"]}


def _report_correction(world, context):
    """A draft correcting site 乙's filing: filing it needs a reason."""
    from plugin.reports import services
    from plugin.reports.queries import get_filing

    from .conftest import SYSTEM

    draft = services.start_correction(get_filing(world.ids["report_filing"]), SYSTEM)
    return {"draft_id": draft.id}


def _own_admin_grant(world, context):
    from plugin.access.queries import grants_for_users

    admin = context["admin"]
    grant = grants_for_users([admin.key])[admin.key][0]
    return {"user_id": admin.id, "grant_id": grant.id}


def _job_waiting_for_columns(world, context):
    from pathlib import Path

    from plugin.imports.models import ImportKind
    from plugin.imports.services import receive_upload

    from .imports_support import IMPORTER, csv_roster

    path = csv_roster(Path(context["tmp_path"]) / "unknown-columns.csv", ["甲列", "姓名"],
                      [["A7001", "列名不认识"]])
    with path.open("rb") as stream:
        job = receive_upload(stream, path.name, kind=ImportKind.WORKERS, base_unit=world.site_a,
                             actor=IMPORTER)
    return {"job_id": job.id}


def _agreement_to_sign(world, context):
    from plugin.core.clock import local_today
    from plugin.guardianship.services import create_agreement

    from . import factories
    from .conftest import SYSTEM
    from .guardianship_support import phone_draft

    child = factories.make_child(world.worker_a, name="待签的孩子", birth_date="2018-03-03")
    agreement = create_agreement(world.worker_a, phone_draft([child], starts_on=local_today()),
                                 actor=SYSTEM, today=local_today())
    return {"agreement_id": agreement.id}


def _own_young_child(world, context):
    from . import factories

    child = factories.make_child(world.worker_a, name="待同意的孩子", birth_date="2019-04-04")
    return {"child_id": child.id}


def _reunion_campaign_open_to_worker_a(world, context):
    return {"campaign_id": reunion_campaign_of_company(world).id}


def _waiting_reunion_application(world, context):
    """Worker 甲's application, waiting for a decision: it may be rejected or moved to another
    band, and has no place offered to accept or decline."""
    from .reunions_support import apply

    return {"application_id": apply(reunion_campaign_of_company(world), world.worker_a).id}


def _booked_reunion_application(world, context):
    """Worker 甲's application approved and booked: its tickets may be cancelled."""
    from plugin.reunions import services
    from plugin.reunions.queries import get_application

    from .conftest import SYSTEM

    args = _waiting_reunion_application(world, context)
    application = get_application(args["application_id"])
    services.approve(application, actor=SYSTEM)
    for number, traveller in enumerate(application.travellers):
        traveller.ticket_number, traveller.carrier = f"T{application.id}-{number}", "中国铁路"
        traveller.service_number, traveller.ticket_price_fen = "K818", 25_000
    services.book(application, actor=SYSTEM)
    return args


#: Routes that take input but cannot refuse it, and why.
EXEMPT: dict[str, str] = {
    "auth.logout": "signs the user out; takes no input that could be refused",
    "carebridge.reports_public.verify": "compares an uploaded file with a filing's fingerprints; "
                                        "writes nothing",
}

REFUSALS: dict[str, Refused] = {
    # Portal
    "auth.login": Refused(by="anonymous"),
    "setup.index": Refused(by="anonymous", needs_company=False),
    "users.new": Refused(),
    "users.edit": Refused(body={"action": "profile", "profile-display_name": ""}),
    "users.revoke": Refused(status=302, setup=_own_admin_grant,
                            why="nobody revokes their own administrator role; " + FLASHED),
    # Organisation, tokens, notifications
    "carebridge.org.company": Refused(body={"name": ""}),
    "carebridge.org.edit_unit": Refused(body={"name": ""}),
    "carebridge.org.new_unit": Refused(args=lambda world, context: {"unit_id": world.site_c.id}),
    "carebridge.api_tokens.new": Refused(),
    "carebridge.api_tokens.revoke": Refused(status=302, setup=_revoked_token,
                                            why="revoked already; " + FLASHED),
    "carebridge.notifications.read": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.notifications.read_all": Refused(csrf=False, status=400, why=BUTTON),
    # Registry
    "carebridge.registry.new_worker": Refused(),
    "carebridge.registry.edit_worker": Refused(),
    "carebridge.registry.new_child": Refused(),
    "carebridge.registry.edit_child": Refused(),
    "carebridge.registry.reveal_child_id": Refused(),
    "carebridge.registry.give_consent": Refused(),
    "carebridge.registry.withdraw": Refused(status=302, why="no consent to withdraw; " + FLASHED),
    "carebridge.registry_review.fill": Refused(),
    # Imports
    "carebridge.imports.index": Refused(),
    "carebridge.imports.columns": Refused(setup=_job_waiting_for_columns),
    "carebridge.imports.discard": Refused(status=302, why="the job has started; " + FLASHED),
    # Lectures and attendance
    "carebridge.lectures.new_session": Refused(),
    "carebridge.lectures.edit_session": Refused(),
    "carebridge.lectures.cancel": Refused(),
    "carebridge.lectures.reschedule": Refused(),
    "carebridge.lectures.new_lecturer": Refused(),
    "carebridge.lectures.edit_lecturer": Refused(),
    "carebridge.lectures.deactivate_lecturer": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.attendance.manual_entry": Refused(status=400, why="no worker chosen: a bad request"),
    "carebridge.attendance.paper_sheet": Refused(),
    "carebridge.attendance.upload_scans": Refused(json=True, status=400,
                                                  why="the scanner's JSON: 400 naming the problem"),
    "carebridge.attendance.annul": Refused(status=302, why="no reason given; the list shows why"),
    # Pledges
    "carebridge.pledges.log_paper": Refused(),
    "carebridge.pledges.revoke": Refused(),
    "carebridge.pledges.edit_template": Refused(),
    "carebridge.pledges.batches": Refused(),
    "carebridge.pledges.remind_uncovered": Refused(
        csrf=False, status=400, why=BUTTON, args=lambda world, context: {"unit": world.site_a.id}),
    "carebridge.pledges_worker.sign": Refused(by="phone"),
    # The worker's own children: consent not ticked; withdrawing a consent never given
    "carebridge.worker_children.consent": Refused(by="phone", setup=_own_young_child),
    "carebridge.worker_children.withdraw": Refused(by="phone", setup=_own_young_child),
    # Guardianship
    "carebridge.guardianship.new_agreement": Refused(),
    "carebridge.guardianship.close_agreement": Refused(),
    "carebridge.guardianship.worker_contacts": Refused(),
    "carebridge.guardianship.issue_entry": Refused(),
    "carebridge.guardianship_phone.contacts_page": Refused(by="phone"),
    "carebridge.guardianship_phone.sign": Refused(by="phone", setup=_agreement_to_sign),
    # Workers' phones
    "carebridge.worker_access.sign_in": Refused(by="anonymous"),
    "carebridge.worker_access.activate": Refused(by="anonymous"),
    "carebridge.worker_access.send_code": Refused(by="anonymous"),
    "carebridge.worker_access.sign_out": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.worker_phones.issue_code": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.worker_phones.unlock": Refused(csrf=False, status=400, why=BUTTON),
    # Bulk reminders on workers' phones
    "carebridge.lectures.remind_never_attended": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.imports.ask_consent": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.worker_phones.revoke": Refused(body={"device_id": "999999"}, status=302,
                                               why="no such phone; " + FLASHED),
    # Reunions: the world's campaign of site 乙 has no published lottery seed and one approved
    # application (not booked); worker 甲 applies to a campaign of the whole company
    "carebridge.reunions.new_campaign": Refused(),
    "carebridge.reunions.set_quota": Refused(body={"quota-places": "十个"}),  # not a number
    "carebridge.reunions.run_campaign": Refused(args=lambda world, context: {"action": "draw"}),
    "carebridge.reunions.apply": Refused(),
    "carebridge.reunions.decide": Refused(),
    "carebridge.reunions.close_application": Refused(setup=_waiting_reunion_application),
    "carebridge.reunions.change_priority": Refused(body={"priority-band": "1"},
                                                   setup=_waiting_reunion_application),
    "carebridge.reunions_booking.import_results": Refused(),
    "carebridge.reunions_booking.reveal_traveller_id": Refused(),
    "carebridge.reunions_booking.cancel_ticket": Refused(setup=_booked_reunion_application),
    "carebridge.reunions_booking.mark_travelled": Refused(status=302,
                                                          why="no tickets booked; " + FLASHED),
    "carebridge.reunions_booking.mark_no_show": Refused(status=302,
                                                        why="no tickets booked; " + FLASHED),
    "carebridge.reunions_visits.register_visit": Refused(),
    "carebridge.reunions_visits.new_activity": Refused(),
    "carebridge.reunions_visits.activity": Refused(body={"present": "999999"}),
    "carebridge.reunions_phone.apply": Refused(setup=_reunion_campaign_open_to_worker_a),
    "carebridge.reunions_phone.accept_offer": Refused(setup=_waiting_reunion_application),
    "carebridge.reunions_phone.decline_offer": Refused(setup=_waiting_reunion_application),
    # No reason given: the application stays as it was.
    "carebridge.reunions_phone.withdraw": Refused(setup=_waiting_reunion_application),
    # Reports
    "carebridge.reports.copy_template": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.reports.edit_template": Refused(body={"name": ""}),
    "carebridge.reports.new_report": Refused(),
    "carebridge.reports.save_texts": Refused(body={"text-work_done": "长" * 20_001}, status=302,
                                             why=FLASHED),
    "carebridge.reports.file_draft": Refused(setup=_report_correction, status=302,
                                             why="a correction without its reason; " + FLASHED),
    "carebridge.reports.delete_draft": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.reports.correct": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.reports_confirm.unit": Refused(csrf=False, status=400,
                                               why="a button (and an optional note)"),
    # Hardship aid
    "carebridge.aid.apply": Refused(),
    "carebridge.aid.resubmit": Refused(),  # not sent back
    "carebridge.aid.reveal_account": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.aid_decisions.decide": Refused(),
    "carebridge.aid_decisions.pay": Refused(),
    "carebridge.aid_decisions.cancel": Refused(),
    "carebridge.aid_decisions.close": Refused(),
    "carebridge.aid_chain.chain": Refused(),
    "carebridge.aid_phone.apply": Refused(by="phone"),
    "carebridge.aid_phone.resubmit": Refused(setup=_aid_application_of_worker_a),
    "carebridge.aid_phone.withdraw": Refused(setup=_aid_application_of_worker_a),
    "carebridge.aid_funds.new_fund": Refused(),
    "carebridge.aid_funds.record_income": Refused(),
    "carebridge.aid_funds.close_fund": Refused(),
    "carebridge.aid_funds.reverse_entry": Refused(),
    "carebridge.aid_pairings.new": Refused(),
    "carebridge.aid_pairings.log_contact": Refused(),
    "carebridge.aid_pairings.end": Refused(),
    "carebridge.aid_visits.new": Refused(),
    # Family contact (the world's booking of site 乙 is tomorrow's)
    "carebridge.family_contact_allowances.add_policy": Refused(),
    "carebridge.family_contact_allowances.export": Refused(),
    "carebridge.family_contact_allowances.import_results": Refused(),
    "carebridge.family_contact_rooms.new_room": Refused(),
    "carebridge.family_contact_rooms.edit_room": Refused(),  # every field empty
    "carebridge.family_contact_rooms.close_room": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.family_contact_rooms.record_use": Refused(
        status=302, why="no outcome chosen, and the slot has not begun; " + FLASHED),
    "carebridge.family_contact_phone_rooms.book": Refused(setup=_contact_room_of_worker_a),
    "carebridge.family_contact_phone_rooms.cancel": Refused(
        setup=_started_contact_booking_of_worker_a),
    "carebridge.family_contact_wifi.new_area": Refused(),
    "carebridge.family_contact_wifi.edit_area": Refused(),
    "carebridge.family_contact_wifi.residents": Refused(),
    "carebridge.care_team.new_member": Refused(),
    "carebridge.care_team.edit_member": Refused(),  # every field empty
    "carebridge.care_team.record_training": Refused(),
    "carebridge.care_team_services.new": Refused(),
    "carebridge.care_team_commendations.nominate": Refused(),
    "carebridge.care_team_commendations.decide": Refused(),
    "carebridge.risk_reports.raise_concern": Refused(),
    "carebridge.risk_reports.raise_for_worker": Refused(),
    "carebridge.risk_reports.police": Refused(),
    "carebridge.risk_reports.notice": Refused(),
    "carebridge.risk_reports.follow_up": Refused(),
    "carebridge.risk_reports.close": Refused(),
    "carebridge.risk_reports_phone.raise_concern": Refused(by="phone"),
    "carebridge.privacy_phone.download": Refused(by="phone", csrf=False, status=400, why=BUTTON),
    "carebridge.privacy_phone.ask": Refused(by="phone", body={"record": "大女儿的学校"}),
    "carebridge.privacy_corrections.made": Refused(setup=_correction_of_worker_a),
    "carebridge.privacy_corrections.refuse": Refused(setup=_correction_of_worker_a),
    "carebridge.privacy_assessments.new": Refused(body={"recipient_name": "票务代理"}),
    "carebridge.privacy_assessments.edit": Refused(setup=_assessment_of_site_a),
    "carebridge.privacy_assessments.withdraw": Refused(setup=_assessment_of_site_a),
    "carebridge.privacy_retention.run": Refused(csrf=False, status=400, why=BUTTON,
                                                args=lambda world, context: {
                                                    "code": "registry.leavers"}),
    "carebridge.reunions_booking.manifest": Refused(
        args=lambda world, context: {"campaign_id": reunion_campaign_of_company(world).id,
                                     "fmt": "xlsx"}),
    "carebridge.positions.new_opening": Refused(),
    "carebridge.positions.edit_opening": Refused(),  # every field empty
    "carebridge.positions.close_opening": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.positions.location": Refused(),  # no county code
    "carebridge.positions.decide": Refused(),  # no outcome chosen
    "carebridge.positions_phone.opening": Refused(
        by="phone", args=lambda world, context: {"opening_id": world.ids["positions_opening"]},
        status=404, why="worker 甲 has no hukou region: nothing is suggested to them, so no "
                        "opening is found"),
    "carebridge.positions_phone.withdraw": Refused(setup=_withdrawn_transfer_of_worker_a),
    "carebridge.holiday_safety.schedule": Refused(),
    "carebridge.holiday_safety.send": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.holiday_safety.close": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.holiday_safety.remind": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.holiday_safety.dates": Refused(),
    "carebridge.holiday_safety_phone.checklist": Refused(setup=_holiday_campaign_of_worker_a),
    "carebridge.referrals.new": Refused(),
    "carebridge.referrals.edit": Refused(),  # every field empty
    "carebridge.referrals.deactivate": Refused(csrf=False, status=400, why=BUTTON),
    "carebridge.referrals.activate": Refused(status=302, why=FLASHED),  # the entry is in use
    # HR API (JSON; errors name the fields)
    "hr_api.post_workers": Refused(by="api", json=True),
    "hr_api.post_children": Refused(by="api", json=True),
    "hr_api.put_worker": Refused(by="api", json=True, body={"name": ""},
                                 args=lambda world, context: {"employee_number": "A1001"}),
    "hr_api.put_child": Refused(by="api", json=True),
}


def form_routes(app) -> dict[str, set[str]]:
    """Endpoint → the methods that write, of every route that has one."""
    return {endpoint: methods & WRITE_METHODS
            for endpoint, methods in portal_routes(app).items() if methods & WRITE_METHODS}


def test_every_form_route_declares_its_refusal(app):
    routes = form_routes(app)
    undeclared = sorted(set(routes) - set(REFUSALS) - set(EXEMPT))
    assert not undeclared, (
        f"routes that take a POST/PUT without a declaration: {undeclared}. Add each to REFUSALS in "
        "tests/test_refused_forms.py with a submission it refuses (default: the CSRF token alone) "
        "and the status it answers (a refused form answers 422: render it with "
        "plugin.core.forms.render_form or render_refused), or to EXEMPT with the reason.")
    stale = sorted((set(REFUSALS) | set(EXEMPT)) - set(routes))
    assert not stale, f"REFUSALS or EXEMPT name routes that take no POST/PUT: {stale}"
    assert not set(REFUSALS) & set(EXEMPT)
    unexplained = sorted(name for name, refused in REFUSALS.items()
                         if refused.status != 422 and not refused.why)
    assert not unexplained, f"a refusal that does not answer 422 says why: {unexplained}"


# -- every table, before and after ---------------------------------------------------------------

_TABLES: dict[str, list] = {}


def all_tables(connection) -> list:
    """Every table of the database (CareBridge's and the portal's), reflected once per database."""
    dialect = connection.dialect.name
    if dialect not in _TABLES:
        metadata = MetaData()
        metadata.reflect(connection)
        _TABLES[dialect] = [table for table in metadata.sorted_tables
                            if "alembic_version" not in table.name]
    return _TABLES[dialect]


def snapshot() -> dict[str, tuple[int, str]]:
    """Table name → (row count, a digest of every row): the audit log and attempt logs too."""
    session.flush()
    connection = session.connection()
    return table_fingerprints(connection, all_tables(connection))


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


# -- the walk ------------------------------------------------------------------------------------

def _who(endpoint: str, refused: Refused) -> str:
    if refused.by:
        return refused.by
    rule = ROUTES.get(endpoint)
    return rule.by if isinstance(rule, Names) else "staff"


def _client(app, who: str, world: World | None, context: dict):
    if who == "staff":
        return staff_client(app, context["admin"])
    if who == "phone":
        return phone_client(app, world.worker_a)
    client = app.test_client()
    if who == "anonymous":  # before set-up every page leads to the set-up form
        client.csrf = csrf_token(client.get("/w/sign-in" if world else "/setup").text)
    return client


def _url(app, endpoint: str, refused: Refused, world: World | None, context: dict) -> str:
    rule = ROUTES.get(endpoint)
    values = ({arg: world.ids[kind] for arg, kind in rule.args.items()} | rule.fixed
              if isinstance(rule, Names) else {})
    if refused.setup is not None:
        values |= refused.setup(world, context)
        session.commit()  # into the test's savepoint: the refused request rolls back its own work
    if refused.args is not None:
        values |= refused.args(world, context)
    return url_for_rule(app, endpoint, values)


def _send(client, who: str, method: str, url: str, refused: Refused, world: World | None):
    headers = {}
    if who == "api":
        headers["Authorization"] = f"Bearer {world.api_secret}"
    elif refused.csrf and refused.json:
        headers["X-CSRFToken"] = client.csrf
    if refused.json:
        return client.open(url, method=method, json=refused.body, headers=headers)
    data = ({"csrf_token": client.csrf} if refused.csrf else {}) | refused.body
    return client.open(url, method=method, data=data, headers=headers)


def _refuse(app, endpoint: str, world: World | None, context: dict) -> None:
    refused = REFUSALS[endpoint]
    who = _who(endpoint, refused)
    client = _client(app, who, world, context)
    url = _url(app, endpoint, refused, world, context)
    problems = []
    before = snapshot()
    for method in sorted(form_routes(app)[endpoint]):
        response = _send(client, who, method, url, refused, world)
        after = snapshot()
        if response.status_code != refused.status:
            problems.append(f"{method} {url}: {response.status_code}, not {refused.status}: "
                            f"{response.get_data(as_text=True)[:300]}")
        if tables := changed(before, after):
            problems.append(f"{method} {url}: changed {tables}")
        before = after
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="class")
def refusal_world_records(app, shared_transaction, tmp_path_factory) -> WorldRecords:
    return build_world_records(app, shared_transaction, tmp_path_factory.mktemp("world"))


@pytest.fixture
def refusal_world(refusal_world_records, clock, app_context) -> World:
    return refusal_world_records.load()


class TestInACompany:
    """The refusals of a set-up company's routes; the cases share one world (built once)."""

    @pytest.mark.parametrize("endpoint", sorted(name for name, refused in REFUSALS.items()
                                                if refused.needs_company))
    def test_a_refused_submission_stores_nothing(self, app, refusal_world, tmp_path, endpoint):
        admin = user_maker(get_root_unit())(Role.ADMIN, username="refusals_admin")
        session.commit()
        _refuse(app, endpoint, refusal_world, {"tmp_path": tmp_path, "admin": admin})


@pytest.mark.parametrize("endpoint", sorted(name for name, refused in REFUSALS.items()
                                            if not refused.needs_company))
def test_a_refused_submission_before_set_up_stores_nothing(app, tmp_path, endpoint):
    _refuse(app, endpoint, None, {"tmp_path": tmp_path})


# -- the regression ------------------------------------------------------------------------------

def test_a_worker_refused_for_a_taken_id_number_leaves_nothing_and_the_corrected_form_succeeds(
        app, clock, make_unit, make_worker, make_user, login):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    taken = id_number("11010519850101001")
    make_worker(site, employee_number="E001", name="张三", id_number=taken)
    client = login(make_user(Role.HR_OFFICER, unit=site))
    session.commit()
    form = {"placement-unit": str(site.id), "employee_number": "E002", "name": "李四"}
    last_event = session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0
    before = snapshot()

    refused = submit(client, "/workers/new", {**form, "id_number": taken})
    assert refused.status_code == 422
    assert "身份证号码与已登记的另一条记录重复" in refused.text
    assert 'value="李四"' in refused.text  # the form keeps what was typed
    assert changed(before, snapshot()) == []

    corrected = submit(client, "/workers/new", {**form, "id_number": id_number("11010519850101002")})
    assert corrected.status_code == 302, corrected.text
    assert {"cb_worker", "cb_audit_event"} <= set(changed(before, snapshot()))  # it sees changes
    worker = session.execute(select(Worker).where(Worker.employee_number == "E002")).scalar_one()
    assert worker.name == "李四" and worker.id_number == id_number("11010519850101002")
    written = session.execute(select(AuditEvent.action).where(AuditEvent.id > last_event)
                              .order_by(AuditEvent.id)).scalars().all()
    assert written == ["worker.created"]


def test_a_refused_reveal_shows_the_form_not_the_record_and_audits_nothing(
        app, clock, make_unit, make_worker, make_child, make_user, login):
    """Every view of a child's record is audited, and a refused request leaves the audit log as it
    was: so the refused reveal shows the masked number and the form, never the record."""
    site = make_unit(OrgKind.SITE, name="甲项目部")
    worker = make_worker(site, employee_number="E001", name="张三")
    child = make_child(worker, name="张小明", birth_date="2010-02-02",
                       id_number=id_number("11010520100202001"), school="希望小学")
    client = login(make_user(Role.HR_OFFICER, unit=site))
    session.commit()
    page = client.get(f"/children/{child.id}")
    before = snapshot()

    refused = client.post(f"/children/{child.id}/reveal-id",
                          data={"csrf_token": csrf_token(page.text), "reveal-reason": "看"})
    assert refused.status_code == 422
    assert "110***********" in refused.text and "reveal-form" in refused.text
    assert "希望小学" not in refused.text and id_number("11010520100202001") not in refused.text
    assert changed(before, snapshot()) == []

    shown = client.post(f"/children/{child.id}/reveal-id",
                        data={"csrf_token": csrf_token(page.text), "reveal-reason": "核对学籍信息"},
                        follow_redirects=True)
    assert shown.status_code == 200 and id_number("11010520100202001") in shown.text
    actions = session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "child", AuditEvent.target_id == str(child.id))).scalars().all()
    assert actions.count("child.id_revealed") == 1 and actions.count("child.viewed") == 2


# -- the boundary itself -------------------------------------------------------------------------

def _units_named(name: str) -> int:
    from plugin.org.models import OrgUnit

    return session.execute(select(func.count()).select_from(OrgUnit)
                           .where(OrgUnit.name == name)).scalar_one()


def _boundary(app, method: str, work: Callable, status: int = 200):
    """Run ``work`` as a view of a ``method`` request would, then end the request as the
    boundary does; the response's status after it."""
    from flask import Response

    from plugin.core.boundary import commit_on_success

    with app.test_request_context("/boundary", method=method):
        work()
        return commit_on_success(Response("page", status)).status_code


@pytest.mark.parametrize("status", [200, 302])
def test_a_caught_refusal_stores_nothing_whatever_the_view_answers(app, company, status):
    from plugin.core.errors import ValidationError
    from plugin.org.services import create_unit

    from .conftest import SYSTEM

    session.commit()

    def view():
        create_unit(company, OrgKind.SITE, "拒绝之前写下的", actor=SYSTEM)
        session.flush()
        try:
            raise ValidationError("后来才发现的问题")
        except ValidationError:
            pass  # a view that catches the error and answers as if nothing happened

    answered = _boundary(app, "POST", view, status)
    assert answered == (422 if status == 200 else status)
    assert _units_named("拒绝之前写下的") == 0


def test_a_refused_part_takes_only_itself_back(app, company):
    from plugin.core.boundary import refusable_part
    from plugin.core.errors import ValidationError
    from plugin.org.services import create_unit

    from .conftest import SYSTEM

    session.commit()

    def view():
        for name, refused in (("收下的", False), ("退回的", True)):
            try:
                with refusable_part():
                    create_unit(company, OrgKind.SITE, name, actor=SYSTEM)
                    session.flush()
                    if refused:
                        raise ValidationError("这一条不行")
            except ValidationError:
                pass  # reported per record, as the HR API's batches do

    assert _boundary(app, "POST", view) == 200
    assert _units_named("收下的") == 1 and _units_named("退回的") == 0


def test_a_page_that_only_reads_keeps_its_audit_rows_even_beside_an_error(app, company):
    from plugin.audit.services import record_event
    from plugin.core.errors import ValidationError

    from .conftest import SYSTEM

    session.commit()
    last_event = session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0

    def view():
        record_event("child.viewed", SYSTEM, target_type="child", target_id=1)
        ValidationError("页面上显示的错误")  # e.g. a filter's bad date, shown on the page

    assert _boundary(app, "GET", view) == 200
    assert session.execute(select(AuditEvent.action).where(
        AuditEvent.id > last_event)).scalars().all() == ["child.viewed"]
