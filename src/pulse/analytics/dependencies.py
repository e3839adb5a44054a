"""Query parameters shared by every metric route: the period, the filters, sorting and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from pulse.analytics.period import Filters, Period, check_granularity, parse_period
from pulse.etl.deps import CurrentPrincipal


@dataclass(frozen=True)
class Scope:
    """A validated period and filter set for the caller's tenant."""

    period: Period
    filters: Filters


def get_scope(
    principal: CurrentPrincipal,
    from_date: Annotated[date | None, Query(alias="from", description="First day (inclusive), YYYY-MM-DD.")] = None,
    to_date: Annotated[date | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD.")] = None,
    tz: Annotated[str | None, Query(description="IANA time zone of the dates (default UTC).")] = None,
    team_id: Annotated[int | None, Query(ge=1)] = None,
    repository_id: Annotated[int | None, Query(ge=1)] = None,
    environment: Annotated[str | None, Query(max_length=200)] = None,
    project: Annotated[str | None, Query(max_length=200, description="Jira project key (flow metrics).")] = None,
) -> Scope:
    """The period (default: the last 90 days) and filters, scoped to the caller's tenant."""
    period = parse_period(from_date, to_date, tz)
    filters = Filters(
        client_id=principal.client_id,
        team_id=team_id,
        repository_id=repository_id,
        environment=environment or None,
        project=project or None,
    )
    return Scope(period=period, filters=filters)


MetricScope = Annotated[Scope, Depends(get_scope)]


def get_granularity(granularity: Annotated[str, Query(description="week or month")] = "week") -> str:
    """`week` (Monday-based) or `month`."""
    return check_granularity(granularity)


Granularity = Annotated[str, Depends(get_granularity)]


@dataclass(frozen=True)
class Listing:
    """Sort, order, page and format of a drill-down."""

    sort: str | None
    order: str
    limit: int
    offset: int
    csv: bool


def get_listing(
    sort: Annotated[str | None, Query(max_length=64)] = None,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Listing:
    """Drill-down listing parameters; `format=csv` exports every row of the filter."""
    return Listing(sort=sort, order=order, limit=limit, offset=offset, csv=format == "csv")


DrillListing = Annotated[Listing, Depends(get_listing)]
