"""Helpers shared by the account tests (plain functions; the fixtures live in conftest.py)."""

from __future__ import annotations

from sqlmodel import select

from kb.db import session_scope
from kb.models import User
from tests.conftest import TEST_PASSWORD


def logged_in_uid(client) -> int | None:
    with client.session_transaction() as sess:
        return sess.get("uid")


def get_user(app, **where) -> User | None:
    with app.app_context(), session_scope() as session:
        query = select(User)
        for name, value in where.items():
            query = query.where(getattr(User, name) == value)
        return session.exec(query).first()


def log_in(post, login: str, password: str = TEST_PASSWORD, **kwargs):
    return post("/inloggen", {"login": login, "password": password}, **kwargs)
