"""Signing a worker in on a phone in tests, the way the worker does it.

A worker signs in with the employee number and the personal PIN they chose (issue #13, finding
6: nothing staff can see signs a worker in). Tests give the worker a PIN directly
(:func:`give_pin`) and sign in through the real page (:func:`sign_in`), or remember a phone
without any page (:func:`remembered_cookie`).
"""
from __future__ import annotations

from plugin.core.db import session
from plugin.worker_access.cookies import _serializer
from plugin.worker_access.models import WorkerPin
from plugin.worker_access.services import remember_device, set_pin

from .conftest import csrf_token

#: The PIN :func:`give_pin` sets unless told otherwise (not in any test phone or ID number).
PIN = "258036"


def give_pin(worker, pin: str = PIN) -> str:
    """Set ``worker``'s PIN (as if chosen on the phone after an activation code)."""
    set_pin(worker, pin)
    return pin


def sign_in(client, employee_number: str, pin: str = PIN, next_url: str | None = None):
    """Post the phone sign-in form; returns the response (302 to ``next`` when accepted)."""
    url = "/w/sign-in" + (f"?next={next_url}" if next_url else "")
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.text),
                                  "employee_number": employee_number, "pin": pin})


def signed_in_phone(client, worker, pin: str = PIN):
    """``client`` after ``worker`` signed in on it with their PIN (given one if they have none)."""
    if session.get(WorkerPin, worker.id) is None:
        give_pin(worker, pin)
    response = sign_in(client, worker.employee_number, pin)
    assert response.status_code == 302, response.text
    return client


def remembered_cookie(worker, *, ip: str | None = "127.0.0.1", user_agent: str = "tests") -> str:
    """The remembered-phone cookie value of a new phone of ``worker`` (no page involved)."""
    return _serializer().dumps(remember_device(worker, ip=ip, user_agent=user_agent))
