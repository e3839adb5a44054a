"""Relay connections the way GitHub serves them: opaque keyset cursors, `pageInfo`, `totalCount`."""

from __future__ import annotations

import base64
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

Key = tuple[Any, ...]
Render = Callable[[Any], Any]


def encode_cursor(key: Key) -> str:
    """An opaque cursor (`cursor:v2:` like GitHub's) holding the sort key of one item."""
    return base64.b64encode(b"cursor:v2:" + json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> Key:
    """The sort key inside a cursor from `encode_cursor`, or GitHub's invalid-cursor error."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True)
        if not raw.startswith(b"cursor:v2:"):
            raise ValueError(cursor)
        key = json.loads(raw[len(b"cursor:v2:") :])
        if not isinstance(key, list):
            raise ValueError(cursor)
    except ValueError:
        raise GraphQLError(
            f"`{cursor}` does not appear to be a valid cursor.", extensions={"type": "INVALID_CURSOR_ARGUMENTS"}
        ) from None
    return tuple(key)


def connection(items: Sequence[Any], keys: Sequence[Key], render: Render, args: dict[str, Any]) -> dict[str, Any]:
    """One page of `items` (ordered by ascending `keys`) as a GitHub connection; items render only if asked."""
    lo, hi = 0, len(items)
    if args.get("after") is not None:
        lo = bisect_right(keys, decode_cursor(args["after"]))
    if args.get("before") is not None:
        hi = max(lo, bisect_left(keys, decode_cursor(args["before"])))
    start, end = lo, hi
    if args.get("first") is not None:
        end = min(hi, start + args["first"])
    if args.get("last") is not None:
        start = max(start, end - args["last"])
    page = range(start, end)

    def nodes(_info: Any) -> list[Any]:
        return [render(items[i]) for i in page]

    def edges(_info: Any) -> list[dict[str, Any]]:
        return [{"cursor": encode_cursor(keys[i]), "node": render(items[i])} for i in page]

    return {
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": encode_cursor(keys[start]) if page else None,
            "endCursor": encode_cursor(keys[end - 1]) if page else None,
        },
        "nodes": nodes,
        "edges": edges,
    }


def in_order(items: Sequence[Any]) -> tuple[Sequence[Any], list[Key]]:
    """Keys for a list already in its natural order (reviews, commits of one pull request)."""
    return items, [(i,) for i in range(len(items))]
