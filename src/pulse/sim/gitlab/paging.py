"""GitLab's two pagination styles: offset (`page`, `X-*` headers and `Link`) and keyset (`id_after` in `Link`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from pulse.sim.endpoint import ApiError, Ctx, Reply
from pulse.sim.paging import github_page, slice_page

DEFAULT_PER_PAGE = 20


def _base_url(ctx: Ctx) -> str:
    raw_path: bytes = ctx.request.scope.get("raw_path") or ctx.request.url.path.encode()
    return ctx.site_root + raw_path.decode("latin-1").split("?", 1)[0]


def offset_page(ctx: Ctx, items: Sequence[Any], render: Callable[[Any], Any]) -> Reply:
    """One offset page with GitLab's `X-Page`, `X-Per-Page`, `X-Total(-Pages)`, `X-Next/Prev-Page` and `Link`."""
    req = github_page(ctx.query, default=DEFAULT_PER_PAGE)
    last = max(1, -(-len(items) // req.per_page))
    base = _base_url(ctx)
    query = [(k, v) for k, v in ctx.query.multi_items() if k != "page"]

    def url(page: int) -> str:
        return f"{base}?{urlencode([*query, ('page', str(page))])}"

    links = []
    if req.page > 1:
        links.append(f'<{url(min(req.page - 1, last))}>; rel="prev"')
    if req.page < last:
        links.append(f'<{url(req.page + 1)}>; rel="next"')
    links.append(f'<{url(1)}>; rel="first"')
    links.append(f'<{url(last)}>; rel="last"')
    headers = {
        "X-Page": str(req.page),
        "X-Per-Page": str(req.per_page),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(last),
        "X-Next-Page": str(req.page + 1) if req.page < last else "",
        "X-Prev-Page": str(req.page - 1) if 1 < req.page <= last else "",
        "Link": ", ".join(links),
    }
    return Reply([render(item) for item in slice_page(items, req)], headers=headers)


def keyset_page(ctx: Ctx, items: Sequence[Any], key: Callable[[Any], int], render: Callable[[Any], Any]) -> Reply:
    """One keyset page (`pagination=keyset&order_by=id&sort=asc|desc`): a `Link: rel="next"` with `id_after`."""
    q = ctx.query
    if q.get("order_by", "id") != "id":
        raise ApiError(405, "Keyset pagination is not supported for this order_by")
    desc = q.get("sort", "asc") == "desc"
    req = github_page(q, default=DEFAULT_PER_PAGE)
    ordered = sorted(items, key=key, reverse=desc)
    bound_name = "id_before" if desc else "id_after"
    bound = q.get(bound_name)
    if bound is not None:
        try:
            limit = int(bound)
        except ValueError:
            raise ApiError(400, f"{bound_name} is invalid") from None
        ordered = [i for i in ordered if (key(i) < limit if desc else key(i) > limit)]
    chunk = ordered[: req.per_page]
    reply = Reply([render(item) for item in chunk])
    if len(ordered) > req.per_page:
        query = [(k, v) for k, v in q.multi_items() if k not in ("id_after", "id_before", "page")]
        query.append((bound_name, str(key(chunk[-1]))))
        reply.headers["Link"] = f'<{_base_url(ctx)}?{urlencode(query)}>; rel="next"'
    return reply
