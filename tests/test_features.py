"""A feature is one folder plus one line: a throwaway feature (``tests/throwaway_feature``) is
mounted beside the default ones and shows up everywhere the platform reads declarations."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from plugin.access.roles import ROLE_PERMISSIONS, Role
from plugin.audit.actions import action_label
from plugin.core.features import Feature, Link, declared_features, forget_feature
from plugin.core.settings import SettingsError
from plugin.features import DEFAULT_FEATURES, load_features
from plugin.guardianship.labels import INTEGRITY_LABELS
from plugin.jobs import scheduled_jobs

from .dummy_host import create_host_app
from .support import sibling_database_url
from .test_dummy_host import host_login

pytestmark = pytest.mark.committing

THROWAWAY = "tests.throwaway_feature"
PLUGIN = Path(__file__).resolve().parent.parent / "plugin"


@pytest.fixture
def forget_throwaway():
    yield
    forget_feature("greetings")
    for name in [name for name in sys.modules if name.startswith(THROWAWAY)]:
        del sys.modules[name]


@pytest.fixture
def greeting_app(database_url, tmp_path, forget_throwaway):
    url = sibling_database_url(database_url, "features", tmp_path)
    return create_host_app(url, features=DEFAULT_FEATURES + (THROWAWAY,))


def test_a_mounted_feature_brings_its_pages_menu_entry_and_settings(greeting_app):
    client = host_login(greeting_app)
    home = client.get("/care/")
    assert home.status_code == 200
    assert 'href="/care/greetings/"' in home.text and "问候" in home.text
    page = client.get("/care/greetings/")
    assert page.status_code == 200 and "<p id='per-day'>3</p>" in page.text


def test_its_permissions_roles_jobs_commands_labels_and_kinds_are_the_platforms(greeting_app):
    state = greeting_app.extensions["carebridge"]
    assert "greetings" in [feature.name for feature in state.features]
    assert "greetings.view" in ROLE_PERMISSIONS[Role.ADMIN]
    assert "greetings.view" in ROLE_PERMISSIONS[Role.HR_OFFICER]
    assert "greetings.view" not in ROLE_PERMISSIONS[Role.AUDITOR]
    assert "greetings.daily" in [job.id for job in scheduled_jobs(state.features)]
    result = greeting_app.test_cli_runner().invoke(args=["care", "greet"])
    assert result.exit_code == 0 and "你好" in result.output
    with greeting_app.test_request_context():
        assert action_label("greetings.sent") == "发送问候"
    assert "greeting_received" in INTEGRITY_LABELS
    assert [link.endpoint for link in state.links["phone.home"]][:3] == [
        "carebridge.pledges_worker.mine", "carebridge.greetings_phone.hello",
        "carebridge.worker_lectures.index"]
    assert "carebridge/greetings/_lecture_panel.html" in state.panels["lecture"]


def test_a_bad_setting_stops_the_start_with_its_name(database_url, tmp_path, forget_throwaway):
    url = sibling_database_url(database_url, "features_bad", tmp_path)
    with pytest.raises(SettingsError, match="CAREBRIDGE_GREETINGS_PER_DAY"):
        create_host_app(url, set_up=False, features=DEFAULT_FEATURES + (THROWAWAY,),
                        CAREBRIDGE_GREETINGS_PER_DAY="many")


def test_a_default_app_knows_nothing_of_it(app):
    assert "greetings" not in [feature.name for feature in app.extensions["carebridge"].features]
    assert "greetings" not in [feature.name for feature in declared_features()]


def test_declaration_mistakes_are_refused_when_declared():
    with pytest.raises(ValueError, match="unknown link slots"):
        Feature(name="typo", package=__name__, links={"sidebar": (Link("x.y", "x"),)})
    with pytest.raises(TypeError, match="declares no Feature"):
        load_features(("plugin.core",))


@pytest.mark.parametrize("module", ["extension.py", "jobs.py", "access/roles.py"])
def test_the_platform_names_no_feature(module):
    """The mount, the job list and the permission table read declarations only."""
    source = (PLUGIN / module).read_text()
    for feature in load_features():
        if feature.name in {"org", "access", "audit", "privacy", "notifications", "scheduling"}:
            continue  # the platform's own layers
        assert f".{feature.name}" not in source, f"{module} names the {feature.name} feature"
