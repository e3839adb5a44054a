"""Pagination the way each API does it: GitHub page/per_page with RFC 5988 Link, Jira tokens and startAt."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A requested page: 1-based page number and its size."""

    page: int
    per_page: int


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def github_page(query: Mapping[str, str], *, default: int = 30, maximum: int = 100) -> PageRequest:
    """Parse `page`/`per_page` leniently like GitHub (bad values fall back, sizes are capped)."""
    per_page = _int(query.get("per_page"), default)
    per_page = default if per_page < 1 else min(per_page, maximum)
    page = max(1, _int(query.get("page"), 1))
    return PageRequest(page, per_page)


def slice_page(items: Sequence[T], req: PageRequest) -> list[T]:
    """The items of one page."""
    start = (req.page - 1) * req.per_page
    return list(items[start : start + req.per_page])


def link_header(url_base: str, query: Sequence[tuple[str, str]], req: PageRequest, total: int) -> str | None:
    """RFC 5988 `Link` with prev/next/last/first, in GitHub's order; None when one page holds all."""
    last = max(1, -(-total // req.per_page))
    if last == 1 and req.page == 1:
        return None

    def url(page: int) -> str:
        params = [(k, v) for k, v in query if k != "page"]
        params.append(("page", str(page)))
        return f"{url_base}?{urlencode(params)}"

    links = []
    if req.page > 1:
        links.append(f'<{url(min(req.page - 1, last))}>; rel="prev"')
    if req.page < last:
        links.append(f'<{url(req.page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    if req.page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return ", ".join(links) or None


def fingerprint(*parts: Any) -> str:
    """Short stable digest of a query, so a page token cannot be replayed against another query."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:12]


def encode_token(offset: int, query_fingerprint: str) -> str:
    """Opaque Jira `nextPageToken` for an offset into a query's result."""
    raw = json.dumps({"o": offset, "q": query_fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, query_fingerprint: str) -> int | None:
    """Offset from a token made by `encode_token` for the same query; None if it is not one."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if data.get("q") == query_fingerprint and offset >= 0 else None
