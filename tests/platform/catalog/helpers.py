"""Small helpers shared by the catalog tests: walk cursor pages, snapshot what a chain holds."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import Chain

CATALOG = ("/v1/stores", "/v1/categories", "/v1/suppliers", "/v1/products")


def walk(
    client: TestClient[Any], path: str, headers: dict[str, str], limit: int = 200, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, asserting each page respects ``limit``."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= limit
        assert body["data"] or cursor is None, "a next_cursor led to an empty page"
        items += body["data"]
        if body["next_cursor"] is None:
            return items
        assert body["next_cursor"] != cursor
        cursor = body["next_cursor"]


def snapshot(client: TestClient[Any], chain: Chain) -> dict[str, list[dict[str, Any]]]:
    """Everything the chain's catalog holds, plus its audit log: compare before/after a refusal."""
    state = {path: walk(client, path, chain.headers) for path in CATALOG}
    state["/v1/audit-log"] = walk(client, "/v1/audit-log", chain.headers)
    return state


def create(client: TestClient[Any], chain: Chain, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()
