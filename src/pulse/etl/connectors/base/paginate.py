"""Pagination styles of the source APIs, as small iterators over pages.

Each paginator yields `Page`s one at a time (memory stays flat) and raises `PaginationLoop` when the
source hands back a token or URL it already gave, which would otherwise loop forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulse.etl.connectors.base.http import Page, SourceClient


class PaginationLoop(RuntimeError):
    """The source repeated a page token: following it would never end."""


class LinkHeaderPaginator:
    """GitHub: follow `Link: <...>; rel="next"` until there is none."""

    def __init__(self, *, conditional: bool = True) -> None:
        self.conditional = conditional

    def pages(self, client: SourceClient, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        """Pages from the first URL on; a 304 page follows its stored Link header."""
        url: str | None = client.url(path, params)
        seen: set[str] = set()
        while url:
            if url in seen:
                raise PaginationLoop(f"next page {url} was already fetched")
            seen.add(url)
            page = client.get(url, conditional=self.conditional)
            yield page
            url = self.next_url(client, page, path, dict(params or {}))

    def next_url(self, client: SourceClient, page: Page, path: str, params: dict[str, Any]) -> str | None:
        """Where the page after `page` is."""
        return page.next_url()


class GitLabPaginator(LinkHeaderPaginator):
    """GitLab: follow the `Link` header (offset and keyset pages both send it), else `X-Next-Page`.

    GitLab leaves `Link` out behind some proxies and for very large offset listings, but `X-Next-Page` (the
    next page number, empty on the last page) is always there for offset pagination.
    """

    def next_url(self, client: SourceClient, page: Page, path: str, params: dict[str, Any]) -> str | None:
        """The `Link` target, else the current query with `page` set to `X-Next-Page`."""
        url = page.next_url()
        next_page = (page.headers.get("x-next-page") or "").strip()
        if url is None and next_page.isdigit() and not page.not_modified:
            url = client.url(path, {**params, "page": next_page})
        return url


class NextPageTokenPaginator:
    """Jira `search/jql`: pass `nextPageToken` back until the answer has none (or says `isLast`)."""

    def __init__(self, *, method: str = "GET", token_param: str = "nextPageToken") -> None:  # noqa: S107
        self.method = method
        self.token_param = token_param

    def pages(self, client: SourceClient, path: str, params: Mapping[str, Any]) -> Iterator[Page]:
        """Pages of one query."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            query = dict(params)
            if token:
                query[self.token_param] = token
            page = client.get(path, query) if self.method == "GET" else client.post(path, query)
            yield page
            data = page.data if isinstance(page.data, dict) else {}
            token = data.get(self.token_param)
            if not token or data.get("isLast") is True:
                return
            if token in seen:
                raise PaginationLoop(f"nextPageToken {token!r} repeated")
            seen.add(token)


class StartAtPaginator:
    """Jira's older style: `startAt`/`maxResults` with `total` or `isLast` in the answer."""

    def __init__(
        self, *, page_size: int = 100, items: Callable[[Any], list[Any]] = lambda d: list(d.get("values", []))
    ) -> None:
        self.page_size = page_size
        self.items = items

    def pages(self, client: SourceClient, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        """Pages until the source says it was the last or an empty page comes."""
        start = 0
        seen: set[int] = set()
        while True:
            if start in seen:
                raise PaginationLoop(f"startAt {start} repeated")
            seen.add(start)
            page = client.get(path, {**(params or {}), "startAt": start, "maxResults": self.page_size})
            yield page
            data = page.data if isinstance(page.data, dict) else {}
            got = len(self.items(data))
            total = data.get("total")
            if got == 0 or data.get("isLast") is True:
                return
            start_at = int(data.get("startAt", start))
            if start_at < start:
                raise PaginationLoop(f"startAt went back from {start} to {start_at}")
            start = start_at + got
            if isinstance(total, int) and start >= total:
                return


class OffsetPaginator:
    """PagerDuty's classic paging: `offset`/`limit` until the answer says `more: false`."""

    def __init__(self, *, page_size: int = 100) -> None:
        self.page_size = page_size

    def pages(self, client: SourceClient, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        """Pages from offset 0 on."""
        offset = 0
        seen: set[int] = set()
        while True:
            if offset in seen:
                raise PaginationLoop(f"offset {offset} repeated")
            seen.add(offset)
            page = client.get(path, {**(params or {}), "offset": offset, "limit": self.page_size})
            yield page
            data = page.data if isinstance(page.data, dict) else {}
            if data.get("more") is not True:
                return
            offset = int(data.get("offset", offset)) + int(data.get("limit", self.page_size))


class PagingNextPaginator(LinkHeaderPaginator):
    """Opsgenie: follow the answer's `paging.next` URL while a page has data (no conditional requests)."""

    def __init__(self, *, conditional: bool = False) -> None:
        super().__init__(conditional=conditional)

    def next_url(self, client: SourceClient, page: Page, path: str, params: dict[str, Any]) -> str | None:
        """`paging.next` of a page that listed something."""
        data = page.data if isinstance(page.data, dict) else {}
        paging = data.get("paging")
        next_url = paging.get("next") if isinstance(paging, dict) and data.get("data") else None
        return str(next_url) if next_url else None
