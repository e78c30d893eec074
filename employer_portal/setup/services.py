from __future__ import annotations

from flask import Flask, current_app

from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.core.clock import DEFAULT_TIMEZONE
from plugin.core.host import Actor
from plugin.org.queries import get_company, get_root_unit
from plugin.org.services import create_company

from ..accounts.models import User
from ..accounts.services import check_new_user, create_user

_SET_UP_FLAG = "carebridge_portal.set_up"


def is_set_up() -> bool:
    """Whether first-run set-up is done.

    A company is never deleted, so once the answer is yes each process keeps it and requests
    (a lecture check-in burst included) skip the query.
    """
    if current_app.extensions.get(_SET_UP_FLAG):
        return True
    done = get_company() is not None
    if done:
        current_app.extensions[_SET_UP_FLAG] = True
    return done


def forget_set_up(app: Flask) -> None:
    """Ask the database again on the next request (tests that empty the database call this)."""
    app.extensions.pop(_SET_UP_FLAG, None)


def set_up_company(company_name: str, username: str, display_name: str, password: str, *,
                   actor: Actor, timezone: str = DEFAULT_TIMEZONE) -> User:
    """Create the company, its root unit and the first administrator (granted on the whole tree).

    The account is checked before anything is written, so a refusal leaves the database empty.
    """
    check_new_user(username, display_name, password)
    create_company(company_name, actor=actor, timezone=timezone)
    return create_admin(username, display_name, password, actor=actor)


def create_admin(username: str, display_name: str, password: str, *, actor: Actor) -> User:
    """An administrator of the whole company (the set-up page and ``carebridge create-admin``)."""
    user = create_user(username, display_name, password, actor=actor)
    grant_role(user.key, Role.ADMIN, get_root_unit(), actor=actor, check_actor=False)
    return user
