"""Beheer: invites (editors and admins), accounts and the audit log (admins only).

Every change writes its audit row in the same transaction (see :mod:`kb.accounts` and
:mod:`kb.invites`). Login names are shown here, to admins, and nowhere public.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func
from sqlmodel import select

from kb import accounts, consent, groups, invites
from kb.accounts import AccountError
from kb.auth import current_user, require_role
from kb.db import get_session
from kb.localtime import utc_start_of
from kb.models import Advice, AuditEntry, Invite, Role, User, WriterGroup, utcnow

bp = Blueprint("admin", __name__, url_prefix="/beheer")

AUDIT_PAGE_SIZE = 50
@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@require_role(Role.EDITOR)
def index():
    return render_template("admin/index.html")


# ------------------------------------------------------------------ invites

def _invites_page(errors: dict | None = None, status: int = 200, **values):
    session = get_session()
    rows = invites.all_invites(session)
    people = _accounts_by_id(session, {i.created_by_id for i in rows}
                             | {i.used_by_id for i in rows})
    now = utcnow()
    listed = [{"invite": i, "state": invites.state(i, now).value,
               "created_by": people.get(i.created_by_id), "used_by": people.get(i.used_by_id)}
              for i in rows]
    user = current_user()
    return render_template("admin/invites.html", invites=listed, errors=errors or {},
                           values={"role": Role.CONTRIBUTOR, "note": "", **values},
                           roles=[r for r in Role if invites.may_invite(user, r)],
                           may_revoke=lambda i: invites.may_invite(user, i.role),
                           days=current_app.config["INVITE_DAYS"]), status


@bp.get("/uitnodigingen")
@require_role(Role.EDITOR)
def invite_list():
    return _invites_page()


@bp.post("/uitnodigingen")
@require_role(Role.EDITOR)
def invite_create():
    role = request.form.get("role", Role.CONTRIBUTOR)
    note = request.form.get("note", "").strip()
    if role not in set(Role):
        return _invites_page({"role": "unknown"}, 400, note=note[:500])
    if not invites.may_invite(current_user(), role):
        abort(403)
    if len(note) > invites.MAX_NOTE:
        return _invites_page({"note": "long"}, 400, role=role, note=note[:1000])
    session = get_session()
    invite, token = invites.create_invite(session, current_user(), role, note,
                                          days=int(current_app.config["INVITE_DAYS"]))
    session.commit()
    link = url_for("account.invite", token=token, _external=True)
    # The link is shown this once: only its hash is stored.
    return render_template("admin/invite_created.html", invite=invite, link=link), 201


@bp.post("/uitnodigingen/<int:invite_id>/intrekken")
@require_role(Role.EDITOR)
def invite_revoke(invite_id: int):
    session = get_session()
    invite = session.get(Invite, invite_id) or abort(404)
    if not invites.may_invite(current_user(), invite.role):
        abort(403)
    if not invites.revoke(session, current_user(), invite):
        return _invites_page({"revoke": invites.state(invite).value}, 409)
    session.commit()
    return redirect(url_for("admin.invite_list"), code=303)


# ------------------------------------------------------------------ accounts

def _accounts_page(errors: dict | None = None, status: int = 200):
    session = get_session()
    users = session.exec(select(User).order_by(User.created_at, User.id)).all()
    return render_template("admin/accounts.html", users=users, me=current_user(),
                           roles=list(Role), is_deleted=accounts.is_deleted,
                           errors=errors or {}), status


@bp.get("/accounts")
@require_role(Role.ADMIN)
def account_list():
    return _accounts_page()


def _account_change(user_id: int, change) -> Response:
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    try:
        change(session, current_user(), user)
    except AccountError as error:
        session.rollback()
        code = next(iter(error.errors.values()))
        return _accounts_page(error.errors, 403 if code == "self" else
                              409 if code in ("deleted", "last_admin") else 400)
    session.commit()
    return redirect(url_for("admin.account_list") + f"#account-{user_id}", code=303)


@bp.post("/accounts/<int:user_id>/uitzetten")
@require_role(Role.ADMIN)
def account_deactivate(user_id: int):
    return _account_change(user_id, lambda s, actor, user: accounts.set_active(s, actor, user,
                                                                               False))


@bp.post("/accounts/<int:user_id>/aanzetten")
@require_role(Role.ADMIN)
def account_activate(user_id: int):
    return _account_change(user_id, lambda s, actor, user: accounts.set_active(s, actor, user,
                                                                               True))


@bp.post("/accounts/<int:user_id>/rol")
@require_role(Role.ADMIN)
def account_role(user_id: int):
    role = request.form.get("role", "")
    return _account_change(user_id, lambda s, actor, user: accounts.set_role(s, actor, user,
                                                                             role))


# ------------------------------------------------------------------ audit log

@bp.get("/audit")
@require_role(Role.ADMIN)
def audit_log():
    session = get_session()
    action = request.args.get("actie", "").strip()[:40]
    page = request.args.get("pagina", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    conditions, filters, unknown_person = _audit_filters(session, action)
    query = select(AuditEntry).where(*conditions)
    count = select(func.count()).select_from(AuditEntry).where(*conditions)
    total = session.exec(count).one()
    entries = session.exec(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    ids = {e.actor_id for e in entries} | {e.detail.get("target_id") for e in entries}
    advice_ids = {e.advice_id for e in entries if e.advice_id}
    titles = dict(session.exec(select(Advice.id, Advice.title)
                               .where(Advice.id.in_(advice_ids))).all()) if advice_ids else {}
    actions = session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    return render_template("admin/audit.html", entries=entries,
                           people=_accounts_by_id(session, ids), titles=titles,
                           actions=actions, action=action, page=page, pages=pages, total=total,
                           filters=filters, unknown_person=unknown_person,
                           query={k: v for k, v in {**filters, "actie": action}.items() if v})


def _audit_filters(session, action: str) -> tuple[list, dict[str, str], bool]:
    """The audit log's filters: who (a login name), what (an action), when (local days, both
    ends included). Returns the conditions, the values to show again, and whether the login
    named no account (then nothing matches)."""
    conditions = [AuditEntry.action == action] if action else []
    who = request.args.get("wie", "").strip()[:40]
    unknown = False
    if who:
        user_id = session.exec(select(User.id).where(
            func.lower(User.login) == who.lower())).first()
        unknown = user_id is None
        conditions.append(AuditEntry.actor_id == (user_id if user_id is not None else -1))
    shown = {"wie": who, "van": "", "tot": ""}
    for name, end in (("van", False), ("tot", True)):
        try:
            day = date.fromisoformat(request.args.get(name, "").strip())
        except ValueError:
            continue
        shown[name] = day.isoformat()
        bound = utc_start_of(day + timedelta(days=1) if end else day)
        conditions.append(AuditEntry.created_at < bound if end
                          else AuditEntry.created_at >= bound)
    return conditions, shown, unknown


def _accounts_by_id(session, ids) -> dict[int, User]:
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()}


# ------------------------------------------------------------------ writer groups

@bp.get("/groepen")
@require_role(Role.EDITOR)
def group_list():
    return _groups_page()


@bp.post("/groepen")
@require_role(Role.EDITOR)
def group_create():
    name = request.form.get("name", "")
    return _group_step(lambda s: groups.create_group(s, current_user(), name),
                       values={"name": name[:200]})


@bp.post("/groepen/<int:group_id>/leden")
@require_role(Role.EDITOR)
def group_add_member(group_id: int):
    group = get_session().get(WriterGroup, group_id) or abort(404)
    login = request.form.get("login", "")
    return _group_step(lambda s: groups.add_member(s, current_user(), group, login),
                       values={"login": login[:200], "group_id": group_id})


@bp.post("/groepen/<int:group_id>/leden/<int:user_id>/weg")
@require_role(Role.EDITOR)
def group_remove_member(group_id: int, user_id: int):
    group = get_session().get(WriterGroup, group_id) or abort(404)
    return _group_step(lambda s: groups.remove_member(s, current_user(), group, user_id))


def _group_step(step, values: dict | None = None):
    """Take one group step and commit, or show the page again with the Dutch reason (400)."""
    session = get_session()
    try:
        step(session)
    except groups.GroupError as error:
        session.rollback()
        return _groups_page({"group": error.code}, 400, **(values or {}))
    session.commit()
    return redirect(url_for("admin.group_list"), code=303)


def _groups_page(errors: dict | None = None, status: int = 200, **values):
    return render_template("admin/groups.html", groups=groups.all_groups(get_session()),
                           errors=errors or {}, values=values), status


# ------------------------------------------------------------------ guardians' consent

@bp.get("/toestemming")
@require_role(Role.EDITOR)
def consent_list():
    """Writers under 16 waiting for a recorded consent of a parent or guardian."""
    return render_template("admin/consent.html", waiting=consent.waiting(get_session()),
                           done=request.args.get("klaar") == "1")


@bp.post("/toestemming/<int:user_id>")
@require_role(Role.EDITOR)
def consent_record(user_id: int):
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    if not consent.record(session, current_user(), user):
        abort(409)
    session.commit()
    return redirect(url_for("admin.consent_list", klaar=1), code=303)
