"""A small HR application that mounts CareBridge the way a company's own system would.

It owns everything a real host owns: its own ``SQLAlchemy()`` with its own tables
(``host_employee``, ``host_user``), its own Flask-Login sign-in at ``/host-login`` (CSRF through
Flask-WTF's ``CSRFProtect``), its own layout with an "HR Host" banner. CareBridge is mounted at
``/care`` with an adapter that answers from the host's ``current_user``, uses the host's database
session, and creates only its ``cb_*`` tables through its own Alembic migrations.

Used by ``tests/test_dummy_host.py`` (Flask test client) and ``tests/browser`` (live server).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from plugin import Actor, CareBridge, HostAdapter

TEMPLATES = Path(__file__).resolve().parent / "dummy_host_templates"

COMPANY_NAME = "华东人力示范集团"
ADMIN_USERNAME = "hr-admin"
ADMIN_NAME = "人事管理员"
ADMIN_PASSWORD = "Host-pass-1"
#: A host user without any CareBridge role.
CLERK_USERNAME = "hr-clerk"
CLERK_NAME = "普通职员"
#: Rows of the host's own employee table, written before CareBridge's migrations run.
EMPLOYEES = (("E-001", ADMIN_NAME), ("E-002", CLERK_NAME), ("E-003", "未开账号的员工"))


class HostBase(DeclarativeBase):
    """The host's declarative base: its metadata knows nothing of CareBridge's ``cb_*`` tables."""


#: The host's own Flask-SQLAlchemy. CareBridge must use this one and never create a second.
db = SQLAlchemy(model_class=HostBase)
login_manager = LoginManager()
csrf = CSRFProtect()


class HostEmployee(db.Model):
    __tablename__ = "host_employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class HostUser(UserMixin, db.Model):
    __tablename__ = "host_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    employee_id: Mapped[int] = mapped_column(ForeignKey("host_employee.id"))
    employee: Mapped[HostEmployee] = relationship()

    @property
    def name(self) -> str:
        return self.employee.name

    @property
    def care_key(self) -> str:
        """The stable key CareBridge stores for this user (role grants, audit entries)."""
        return f"hr:{self.id}"


class HRHostAdapter(HostAdapter):
    layout_template = "host_layout.html"

    def current_user(self) -> Actor | None:
        if not current_user.is_authenticated:
            return None
        return Actor(key=current_user.care_key, name=current_user.name)

    def login_url(self, next_url: str) -> str:
        return url_for("host_login", next=next_url)

    def user_names(self, keys: Iterable[str]) -> dict[str, str]:
        ids = [int(key[3:]) for key in keys if key.startswith("hr:") and key[3:].isdigit()]
        if not ids:
            return {}
        users = db.session.execute(select(HostUser).where(HostUser.id.in_(ids))).scalars()
        return {user.care_key: user.name for user in users}

    def employee_numbers(self, keys: Iterable[str]) -> dict[str, str]:
        """Every host user is an employee: the ``employee_no`` of their ``host_employee`` row
        (what a test sets there is what CareBridge is told)."""
        ids = [int(key[3:]) for key in keys if key.startswith("hr:") and key[3:].isdigit()]
        if not ids:
            return {}
        rows = db.session.execute(
            select(HostUser.id, HostEmployee.employee_no)
            .join(HostEmployee, HostEmployee.id == HostUser.employee_id)
            .where(HostUser.id.in_(ids)))
        return {f"hr:{user_id}": number for user_id, number in rows}


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(HostUser, int(user_id)) if user_id.isdigit() else None


def create_host_app(database_url: str, *, set_up: bool = True,
                    features: tuple[str, ...] | None = None, **config) -> Flask:
    """The host app on ``database_url``.

    With ``set_up`` (the default) the database is prepared as a deployment would: the host's own
    tables and rows first, then CareBridge's tables (``upgrade_database()``), then the company and
    an administrator role for the host's ``hr-admin`` user. Preparing an already prepared database
    changes nothing. ``set_up=False`` leaves the database alone (tests do the steps themselves).
    ``features`` replaces CareBridge's default feature list.
    """
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.update(
        SECRET_KEY="dummy-host-secret",
        SQLALCHEMY_DATABASE_URI=database_url,
        **config,
    )
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "host_login"
    options = {"features": features} if features is not None else {}
    CareBridge().init_app(app, url_prefix="/care", adapter=HRHostAdapter(), cli_group="care",
                          **options)
    _register_routes(app)
    if set_up:
        with app.app_context():
            set_up_database()
    return app


def create_host_tables() -> None:
    """The host's own schema and rows (what exists before CareBridge is installed)."""
    db.create_all()
    if db.session.execute(select(HostEmployee.id)).first() is not None:
        return
    employees = {number: HostEmployee(employee_no=number, name=name) for number, name in EMPLOYEES}
    db.session.add_all(employees.values())
    db.session.add_all([
        HostUser(username=ADMIN_USERNAME, password_hash=generate_password_hash(ADMIN_PASSWORD),
                 employee=employees["E-001"]),
        HostUser(username=CLERK_USERNAME, password_hash=generate_password_hash(ADMIN_PASSWORD),
                 employee=employees["E-002"]),
    ])
    db.session.commit()


def set_up_database() -> None:
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.extension import upgrade_database
    from plugin.org.queries import get_company, get_root_unit
    from plugin.org.services import create_company

    create_host_tables()
    upgrade_database()
    if get_company() is None:
        actor = Actor.system("dummy-host")
        create_company(COMPANY_NAME, actor=actor)
        admin = db.session.execute(
            select(HostUser).where(HostUser.username == ADMIN_USERNAME)).scalar_one()
        grant_role(admin.care_key, Role.ADMIN, get_root_unit(), actor=actor, check_actor=False)
        db.session.commit()


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _register_routes(app: Flask) -> None:
    @app.route("/")
    @login_required
    def home():
        employees = db.session.execute(select(HostEmployee).order_by(HostEmployee.employee_no)).scalars()
        return render_template("host_home.html", employees=list(employees))

    @app.route("/host-login", methods=["GET", "POST"])
    def host_login():
        error = None
        if request.method == "POST":
            user = db.session.execute(select(HostUser).where(
                HostUser.username == request.form.get("username", "").strip())).scalar_one_or_none()
            if user is not None and check_password_hash(user.password_hash,
                                                        request.form.get("password", "")):
                login_user(user)
                return redirect(_safe_next(request.args.get("next")) or url_for("home"))
            error = "Wrong username or password"
        return render_template("host_login.html", error=error), (401 if error else 200)

    @app.route("/host-logout", methods=["POST"])
    def host_logout():
        if not current_user.is_authenticated:
            abort(400)
        logout_user()
        return redirect(url_for("host_login"))
