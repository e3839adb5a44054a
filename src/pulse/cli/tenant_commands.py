"""`pulse client ...` and `pulse user ...`: tenants and users from the command line."""

from __future__ import annotations

import json
import sys

import typer

from pulse.backend.clients import service as client_service
from pulse.backend.users import service as user_service
from pulse.cli.context import fail, handled, out, settings
from pulse.core.db.engine import get_engine, unit_of_work

client_app = typer.Typer(help="Tenants (clients).", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)


@client_app.command("create")
@handled
def create_client(name: str, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Create a tenant."""
    with unit_of_work(get_engine()) as db_session:
        client = client_service.create(db_session=db_session, name=name)
        result = {"id": client.id, "name": client.name}
    out.print_json(json.dumps(result)) if as_json else out.print(f"created client {result['id']}: {name}")


@user_app.command("create")
@handled
def create_user(
    client: int = typer.Option(..., "--client", help="Tenant id."),
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option(..., "--role", help="admin, user or view."),
    first_name: str = typer.Option("", "--first-name"),
    last_name: str = typer.Option("", "--last-name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a user in a tenant; the password comes from standard input, never the command line."""
    if not password_stdin:
        fail("pass --password-stdin and pipe the password in (passwords never go on the command line)")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    with unit_of_work(get_engine()) as db_session:
        client_service.get(db_session=db_session, client_id=client)
        user = user_service.create(
            db_session=db_session,
            settings=settings(),
            client_id=client,
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
        )
        result = {"id": user.id, "client_id": user.client_id, "email": user.email, "role": user.role}
    out.print_json(json.dumps(result)) if as_json else out.print(f"created user {result['id']}: {user.email}")


@client_app.command("deactivate")
@handled
def deactivate_client(client_id: int) -> None:
    """Deactivate a tenant: its users can no longer sign in and every live session ends at once."""
    with unit_of_work(get_engine()) as db_session:
        ended = client_service.deactivate(db_session=db_session, client_id=client_id)
    out.print(f"deactivated client {client_id}; ended {len(ended)} session(s)")
