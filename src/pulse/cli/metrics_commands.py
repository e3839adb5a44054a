"""`pulse metrics ...`: maintenance of the pre-aggregated metric facts."""

from __future__ import annotations

import json
import time

import typer

from pulse.analytics.incremental import refresh_pending
from pulse.analytics.refresh import refresh_tenant
from pulse.backend.clients import service as client_service
from pulse.cli.context import handled, out
from pulse.core.db.engine import get_engine, unit_of_work

app = typer.Typer(help="Metric facts.", no_args_is_help=True)


@app.command("refresh")
@handled
def refresh(
    client: int = typer.Option(..., "--client", help="Tenant id."),
    full: bool = typer.Option(False, "--full", help="Rebuild every fact, not only what writes touched."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Refresh a tenant's metric facts now: what is pending, or all of them (syncs and settings do it themselves)."""
    started = time.perf_counter()
    with unit_of_work(get_engine()) as db_session:
        client_service.get(db_session=db_session, client_id=client)
        rebuild = refresh_tenant if full else refresh_pending
        counts = rebuild(db_session=db_session, client_id=client)
    result = {"client_id": client, "full": full, **counts, "seconds": round(time.perf_counter() - started, 3)}
    if as_json:
        out.print_json(json.dumps(result))
    else:
        out.print(
            f"client {client} ({'full rebuild' if full else 'pending changes'}):"
            f" {counts['deployments']} production deployments, {counts['changes']} changes,"
            f" {counts['incidents']} incidents ({result['seconds']} s)"
        )
