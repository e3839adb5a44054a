"""A small JQL subset: AND-ed clauses on project, dates, type, key and status, plus ORDER BY."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from pulse.sim.catalog import STATUS_BY_NAME
from pulse.sim.model import WorkItem
from pulse.sim.store import Dataset

_TOKEN = re.compile(
    r"""\s*(?:(?P<open>\()|(?P<close>\))|(?P<comma>,)|"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'"""
    r"""|(?P<op>>=|<=|!=|=|>|<|~)|(?P<word>[^\s(),=<>!~"']+))"""
)
_RELATIVE = re.compile(r"^([+-]?)(\d+)([wdhm])$")
_DATE_FIELDS = {
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
    "resolved": "resolved",
    "resolutiondate": "resolved",
}
_ORDER_FIELDS = {
    "updated": "updated",
    "created": "created",
    "key": "id",
    "id": "id",
    "issuekey": "id",
    "resolved": "resolved",
    "resolutiondate": "resolved",
}


class JqlError(ValueError):
    """The query is outside the supported subset or malformed."""


@dataclass(slots=True)
class Jql:
    """A parsed query: predicates AND-ed together and an ordering."""

    predicates: list[Callable[[WorkItem], bool]] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)
    bounded: bool = False

    def matches(self, item: WorkItem) -> bool:
        """Whether the item satisfies every clause."""
        return all(p(item) for p in self.predicates)

    def sort(self, items: list[WorkItem]) -> list[WorkItem]:
        """Items in the query's order (ties broken by id ascending)."""
        out = sorted(items, key=lambda w: w.id)
        for name, desc in reversed(self.order or [("id", True)]):
            out.sort(key=lambda w: _sort_value(w, name), reverse=desc)
        return out


def _sort_value(item: WorkItem, name: str) -> Any:
    value = getattr(item, name)
    if name == "resolved":
        return value or datetime.min.replace(tzinfo=UTC)
    return value


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at position {pos}.")
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind) if kind else ""
        if kind in ("dq", "sq"):
            out.append(("str", value.replace('\\"', '"').replace("\\'", "'")))
        elif kind:
            out.append((kind, value))
    return out


def parse_date(value: str, tz: tzinfo, now: datetime) -> datetime:
    """A JQL date (`yyyy-MM-dd[ HH:mm]`, `yyyy/MM/dd`, or relative like `-2d`) as UTC, read in `tz`."""
    value = value.strip()
    relative = _RELATIVE.match(value)
    if relative:
        sign, amount, unit = relative.groups()
        delta = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}[
            unit
        ] * int(amount)
        return now - delta if sign == "-" else now + delta
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            local = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=tz).astimezone(UTC)
    raise JqlError(
        f"Date value '{value}' for field is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
        "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


def parse_jql(text: str, ds: Dataset, tz: tzinfo, now: datetime) -> Jql:
    """Parse the supported subset of JQL, raising `JqlError` with Jira-like messages."""
    tokens = _tokens(text)
    query = Jql()
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise JqlError("Error in the JQL Query: Expecting more input at the end of the query.")
        pos += 1
        return tokens[pos - 1]

    def word(tok: tuple[str, str] | None, *values: str) -> bool:
        return tok is not None and tok[0] == "word" and tok[1].lower() in values

    while pos < len(tokens) and not word(peek(), "order"):
        kind, name = take()
        if kind not in ("word", "str"):
            raise JqlError(f"Error in the JQL Query: Expecting a field name but got '{name}'.")
        op_kind, op = take()
        if op_kind == "word" and op.lower() == "not" and word(peek(), "in"):
            take()
            op = "not in"
        elif op_kind == "word" and op.lower() == "in":
            op = "in"
        elif op_kind != "op":
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op}'.")
        if op in ("in", "not in"):
            if take()[0] != "open":
                raise JqlError("Error in the JQL Query: Expecting '(' after IN.")
            values = []
            while True:
                kind, value = take()
                if kind == "close":
                    break
                if kind == "comma":
                    continue
                values.append(value)
        else:
            values = [take()[1]]
        query.predicates.append(_clause(name.lower(), op, values, ds, tz, now, query))
        if word(peek(), "and"):
            take()
        elif word(peek(), "or"):
            raise JqlError("Error in the JQL Query: OR is not supported by this simulator.")
    if word(peek(), "order"):
        take()
        if not word(take(), "by"):
            raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
        while pos < len(tokens):
            name = take()[1].lower()
            if name not in _ORDER_FIELDS:
                raise JqlError(f"Not able to sort using field '{name}'.")
            desc = False
            if word(peek(), "asc", "desc"):
                desc = take()[1].lower() == "desc"
            query.order.append((_ORDER_FIELDS[name], desc))
            if peek() is not None and peek() == ("comma", ","):
                take()
    return query


def _clause(
    name: str, op: str, values: list[str], ds: Dataset, tz: tzinfo, now: datetime, query: Jql
) -> Callable[[WorkItem], bool]:
    negate = op in ("!=", "not in")
    if name in _DATE_FIELDS:
        attr = _DATE_FIELDS[name]
        if op not in (">=", "<=", ">", "<", "=", "!="):
            raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
        bound = parse_date(values[0], tz, now)
        query.bounded = True
        compare: Callable[[datetime], bool] = {
            ">=": lambda v: v >= bound,
            "<=": lambda v: v <= bound,
            ">": lambda v: v > bound,
            "<": lambda v: v < bound,
            "=": lambda v: v == bound,
            "!=": lambda v: v != bound,
        }[op]
        return lambda w: (getattr(w, attr) is not None) and compare(getattr(w, attr))
    if op not in ("=", "!=", "in", "not in"):
        raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
    wanted = {v.upper() for v in values}
    if name == "project":
        keys = set()
        for value in values:
            project = ds.project(value)
            if project is None:
                raise JqlError(f"The value '{value}' does not exist for the field 'project'.")
            keys.add(project.key)
        query.bounded = True
        return lambda w: (w.project in keys) != negate
    if name in ("issuetype", "type"):
        return lambda w: (w.issue_type.upper() in wanted) != negate
    if name in ("key", "issuekey", "id"):
        query.bounded = True
        return lambda w: (w.key in wanted or str(w.id) in wanted) != negate
    if name == "status":
        return lambda w: (w.status.upper() in wanted) != negate
    if name == "statuscategory":
        # A category can be named by key, display name or id.
        aliases = {
            "new": {"NEW", "TO DO", "2"},
            "indeterminate": {"INDETERMINATE", "IN PROGRESS", "4"},
            "done": {"DONE", "3"},
        }
        return lambda w: bool(aliases[STATUS_BY_NAME[w.status].category] & wanted) != negate
    raise JqlError(f"Field '{name}' does not exist or this field cannot be viewed by anonymous users.")
