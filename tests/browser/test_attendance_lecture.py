"""A whole lecture in the browser: the projector shows the rotating code; phones open its URL (one
remembered, one identifying on the spot, one of another site); the officer's phone scans a printed
badge and takes an employee number while the network is cut, then syncs when it returns, the scans
marked as late uploads; the attendance list and the statistics show the right counts.

The badge is the real one: the badge PDF rendered with pdftoppm and cut out. Offline, the test hands
its picture to the scanner's hook ``carebridgeScanner.decodeImage`` (the page's own decoder, jsQR);
the second test films it with Chromium's fake camera, so the camera loop itself reads it.
"""
from __future__ import annotations

import base64
import io
import subprocess
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from plugin.core.clock import FrozenClock, system_clock, utcnow

from ..attendance_support import make_lecture
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


@dataclass
class Lecture:
    id: int
    site_id: int
    badge_team_id: int
    remembered_cookie: str


@pytest.fixture
def frozen(portal):
    """The live portal's clock, frozen at the real now (the scanner page reads the server time)."""
    state = portal.app.extensions["carebridge"]
    state.clock = FrozenClock(system_clock().replace(microsecond=0))
    yield state.clock
    state.clock = system_clock


@pytest.fixture
def lecture(portal, company, frozen) -> Lecture:
    from plugin.core.db import session
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.worker_access.cookies import _serializer
    from plugin.worker_access.services import remember_device, set_pin

    from .. import factories

    def work():
        system = Actor.system("tests")
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=system)
        team = create_unit(site, OrgKind.TEAM, "钢筋班组", actor=system)
        no_phones = create_unit(site, OrgKind.TEAM, "后勤班组", actor=system)
        elsewhere = create_unit(get_root_unit(), OrgKind.SITE, "后海项目部", actor=system)
        remembered = factories.make_worker(team, employee_number="E5001", name="赵铁柱", phone="13800005001")
        set_pin(factories.make_worker(team, employee_number="E5002", name="钱小二", phone="13800005002"), PIN)
        set_pin(factories.make_worker(elsewhere, employee_number="E5003", name="孙外来", phone="13800005003"),
                PIN)
        factories.make_worker(no_phones, employee_number="E5004", name="李老汉", phone="13800005004")
        factories.make_worker(no_phones, employee_number="E5005", name="周大娘", phone="13800005005")
        session.flush()
        created = make_lecture(site, starts_at=utcnow() + timedelta(minutes=10), title="家长学校：防溺水")
        token = remember_device(remembered, user_agent="tests")
        return Lecture(created.id, site.id, no_phones.id, _serializer().dumps(token))

    return portal.run(work)


def phone_context(new_context, portal, *, cookie: str | None = None):
    context = new_context(base_url=portal.url, **PHONE)
    context.set_default_timeout(10_000)
    if cookie:
        context.add_cookies([{"name": "cb_worker_device", "value": cookie, "url": portal.url}])
    return context


def first_badge(pdf: bytes, tmp_path) -> Image.Image:
    """The first badge of a badge sheet, printed and cut out (rendered at 150 dpi)."""
    (tmp_path / "badges.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "badges.pdf"),
                    str(tmp_path / "sheet")], check=True)
    sheet = Image.open(next(tmp_path.glob("sheet*.png"))).convert("RGB")
    per_mm = sheet.width / 210
    return sheet.crop((round(10 * per_mm), round(10 * per_mm), round(73.3 * per_mm), round(56.2 * per_mm)))


def as_data_url(picture: Image.Image) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def as_camera_video(picture: Image.Image, path) -> None:
    """A still Y4M video of the badge held in front of the camera, for Chromium's fake camera."""
    frame = Image.new("RGB", (640, 480), "white")
    picture.thumbnail((600, 440))
    frame.paste(picture, ((640 - picture.width) // 2, (480 - picture.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    planes = luma.tobytes() + blue.resize((320, 240)).tobytes() + red.resize((320, 240)).tobytes()
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n")
        for _ in range(5):
            video.write(b"FRAME\n" + planes)


def test_a_whole_lecture(new_context, portal, company, lecture, frozen, tmp_path):
    officer = new_context(base_url=portal.url)
    officer.set_default_timeout(10_000)
    projector = officer.new_page()
    log_in(projector, company.admin_username)
    projector.goto(f"/attendance/sessions/{lecture.id}/projector")
    expect(projector.locator("#projector-title")).to_have_text("家长学校：防溺水")
    code_url = projector.locator("#venue-code").get_attribute("data-url")
    assert code_url.startswith(portal.url + "/c/")

    # A remembered phone: scan and done.
    remembered = phone_context(new_context, portal, cookie=lecture.remembered_cookie).new_page()
    remembered.goto(code_url)
    expect(remembered.locator("#check-in-result")).to_have_attribute("data-level", "green")
    expect(remembered.locator("#check-in-message")).to_contain_text("签到成功")
    assert remembered.evaluate("document.documentElement.scrollWidth") <= 360

    # A new phone identifies once, comes back to the check-in, and is remembered.
    newcomer = phone_context(new_context, portal).new_page()
    newcomer.goto(code_url)
    expect(newcomer.locator("h1")).to_have_text("职工登录")
    newcomer.locator("#employee_number").fill("E5002")
    newcomer.locator("#pin").fill(PIN)
    newcomer.locator("#worker-sign-in button").click()
    expect(newcomer.locator("#check-in-message")).to_contain_text("签到成功")
    newcomer.goto(code_url)
    expect(newcomer.locator("#check-in-message")).to_contain_text("无需重复签到")

    # A worker of another site is turned away.
    stranger = phone_context(new_context, portal).new_page()
    stranger.goto(code_url)
    stranger.locator("#employee_number").fill("E5003")
    stranger.locator("#pin").fill(PIN)
    stranger.locator("#worker-sign-in button").click()
    expect(stranger.locator("#check-in-result")).to_have_attribute("data-level", "red")
    expect(stranger.locator("#check-in-message")).to_have_text("不是本项目的职工（请找现场工作人员）")

    # The officer's phone scans a printed badge and takes a typed number, offline.
    scanner_context = new_context(base_url=portal.url, **PHONE)
    scanner_context.set_default_timeout(10_000)
    scanner = scanner_context.new_page()
    log_in(scanner, company.admin_username)
    badges = scanner_context.request.get(f"/attendance/units/{lecture.badge_team_id}/badges.pdf")
    assert badges.ok
    picture = as_data_url(first_badge(badges.body(), tmp_path))
    scanner.goto(f"/attendance/sessions/{lecture.id}/scanner")
    expect(scanner.locator("#network-state")).to_have_text("在线")
    scanner_context.set_offline(True)
    expect(scanner.locator("#network-state")).to_contain_text("离线")
    decoded = scanner.evaluate("src => window.carebridgeScanner.decodeImage(src)", picture)
    assert decoded.startswith("B.")
    scanner.locator("#manual-number").fill("E5005")
    scanner.locator("#manual-form button").click()
    expect(scanner.locator("#queue-count")).to_have_text("2")
    expect(scanner.locator('#scan-list li[data-status="queued"]')).to_have_count(2)
    expect(scanner.locator("#last-result")).to_have_text("已保存在本机，联网后自动上传")
    assert scanner.evaluate("JSON.parse(localStorage.getItem('carebridge.scans.%d')).length" % lecture.id) == 2

    # Two minutes later the network is back: the queue is uploaded and marked late.
    frozen.advance(minutes=2)
    scanner_context.set_offline(False)
    expect(scanner.locator('#scan-list li[data-status="done"]')).to_have_count(2)
    expect(scanner.locator("#queue-count")).to_have_text("0")
    expect(scanner.locator('#scan-list li[data-outcome="accepted"][data-late="true"]')).to_have_count(2)
    expect(scanner.locator("#scan-list")).to_contain_text("李老汉")
    expect(scanner.locator("#present-count")).to_have_text("4")

    # The projector's counter follows, and its code has moved on.
    expect(projector.locator("#projector-count")).to_have_text("4", timeout=15_000)
    expect(projector.locator("#venue-code")).not_to_have_attribute("data-url", code_url)

    # The attendance list and the lecture statistics count the same four.
    listing = officer.new_page()
    listing.goto(f"/attendance/sessions/{lecture.id}")
    expect(listing.locator("#present-count")).to_have_text("4")
    expect(listing.locator("#attendance-list tbody tr")).to_have_count(4)
    expect(listing.locator('#attendance-list tr[data-worker="E5004"]')).to_contain_text("离线补传")
    expect(listing.locator('#attendance-list tr[data-worker="E5005"]')).to_contain_text("手工登记")
    listing.goto(f"/lectures/statistics?unit={lecture.site_id}")
    expect(listing.locator('[data-figure="attendances"]')).to_have_text("4")
    expect(listing.locator('[data-figure="unique_attendees"]')).to_have_text("4")


def test_the_scanner_reads_a_badge_through_the_camera(browser_type, portal, company, lecture, tmp_path):
    """The real camera path: Chromium's fake camera films the printed badge; the page's decoding
    loop reads it and records the check-in."""
    from .conftest import CHROMIUM, CHROMIUM_ARGS

    video = tmp_path / "badge.y4m"
    browser = browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(base_url=portal.url, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
        context.set_default_timeout(10_000)
        officer_page = context.new_page()
        log_in(officer_page, company.admin_username)
        badges = context.request.get(f"/attendance/units/{lecture.badge_team_id}/badges.pdf")
        as_camera_video(first_badge(badges.body(), tmp_path), video)
        officer_page.goto(f"/attendance/sessions/{lecture.id}/scanner")
        officer_page.locator("#start-camera").click()
        expect(officer_page.locator("#camera-box")).to_be_visible()
        expect(officer_page.locator('#scan-list li[data-outcome="accepted"]')).to_have_count(1)
        expect(officer_page.locator("#last-result")).to_contain_text("李老汉 签到成功")
        expect(officer_page.locator("#present-count")).to_have_text("1")
    finally:
        browser.close()
