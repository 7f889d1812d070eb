"""``flask --app app kb user …`` and ``kb invite …``: the first account, and accounts by hand.

The first admin can only be made here (everyone after that joins through an invite). Passwords
are typed twice at a hidden prompt, or read from standard input with ``--password-stdin`` for
scripts; they never appear in the process list or the shell history.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import select

from kb import accounts, invites
from kb.accounts import ANONYMOUS, AccountError
from kb.db import session_scope
from kb.models import Role, User

user_cli = AppGroup("user", help="Create and switch off accounts.")
invite_cli = AppGroup("invite", help="Make invite links.")

#: Where ``flask --app app run`` serves: the invite link's base when KB_SITE_URL is not set.
LOCAL_URL = "http://127.0.0.1:5000"

#: What the error codes of kb.accounts mean, for the command line.
PROBLEMS = {
    ("login", "missing"): "give a login name",
    ("login", "format"): "a login name has 3-40 characters: a-z, 0-9, '.', '_' or '-'",
    ("login", "reserved"): "login names starting with 'verwijderd-' are reserved",
    ("login", "taken"): "this login name is already in use",
    ("password", "missing"): "give a password",
    ("password", "short"): f"the password needs at least {accounts.MIN_PASSWORD} characters",
    ("password", "long"): f"the password may have at most {accounts.MAX_PASSWORD} characters",
    ("password", "same_as_login"): "the password may not be the login name",
    ("display_name", "missing"): "give a display name",
    ("display_name", "long"): f"a display name has at most {accounts.MAX_DISPLAY_NAME} characters",
    ("display_name", "email"): "a display name is public and may not be an e-mail address",
    ("display_name", "login"): "the display name is public and may not be the login name",
    ("display_name", "format"): "the display name has characters that are not allowed",
    ("email", "format"): "this is not an e-mail address",
    ("email", "long"): "the e-mail address is too long",
    ("account", "last_admin"): "it is the last active admin, and without one nobody can manage "
                               "accounts. Make another admin first.",
}

ROLES = click.Choice([role.value for role in Role])


def _problems(error: AccountError) -> str:
    return "; ".join(PROBLEMS.get(item, f"{item[0]}: {item[1]}") for item in error.errors.items())


@user_cli.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, default=Role.CONTRIBUTOR.value, show_default=True)
@click.option("--display-name", default=ANONYMOUS, show_default=True,
              help="The public name shown with this person's advice.")
@click.option("--email", default="", help="Optional; never shown to anyone else.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def create_user_command(name: str, role: str, display_name: str, email: str,
                        password_stdin: bool) -> None:
    """Create an account NAME, e.g. the first admin: `kb user create --role admin NAME`."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope() as session:
            user = accounts.create_account(session, login=name, password=password,
                                           display_name=display_name, role=role, email=email,
                                           actor=None, via="cli")
            login = user.login
    except AccountError as error:
        raise click.ClickException(f"no account created: {_problems(error)}") from error
    click.echo(f"Created {role} account '{login}'.")


@user_cli.command("deactivate")
@click.argument("name")
def deactivate_user_command(name: str) -> None:
    """Switch off account NAME: it can no longer log in; its published advice stays."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.login == accounts.normalise_login(name))
                            ).first()
        if user is None:
            raise click.ClickException(f"no account named '{name}'")
        try:
            accounts.set_active(session, None, user, False)
        except AccountError as error:
            raise click.ClickException(f"account '{name}' is not switched off: "
                                       f"{_problems(error)}") from error
    click.echo(f"Account '{name}' is switched off; its sessions have ended.")


@invite_cli.command("create")
@click.option("--role", type=ROLES, default=Role.CONTRIBUTOR.value, show_default=True)
@click.option("--note", default="", help="Who it is for (no surnames or other personal data).")
@click.option("--base-url", default=None,
              help="Where the site is served, to build the link. [default: KB_SITE_URL, "
                   f"else {LOCAL_URL}]")
def create_invite_command(role: str, note: str, base_url: str | None) -> None:
    """Print a single-use invite link (shown once: only its hash is stored)."""
    days = int(current_app.config["INVITE_DAYS"])
    base = base_url or current_app.config["SITE_URL"]
    if not base:
        # A link to the local development server reaches nobody else: say so, but still give
        # it, since on a laptop that is exactly the right link.
        base = LOCAL_URL
        click.echo(f"KB_SITE_URL is not set: the link points at {LOCAL_URL}. Set KB_SITE_URL "
                   "(or pass --base-url) for a link others can open.", err=True)
    with session_scope() as session:
        _, token = invites.create_invite(session, None, role, note, days=days)
    path = current_app.url_map.bind("localhost").build("account.invite", {"token": token})
    click.echo(f"{base.rstrip('/')}{path}")
    click.echo(f"Valid for {days} days, once, for a {role}.", err=True)
