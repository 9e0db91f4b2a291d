"""Every request is logged once, with its request id and (when authenticated) tenant id."""

from __future__ import annotations

import logging

import msgspec
from litestar.testing import TestClient

from bodega.app import create_app
from tests.conftest import sign_up


def test_each_request_logs_one_line_with_request_and_tenant_ids(settings, caplog):
    verbose = msgspec.structs.replace(settings, log_level="INFO")
    with TestClient(create_app(verbose)) as client:
        chain = sign_up(client)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="bodega.access"):
            client.get("/v1/me", headers={**chain.headers, "X-Request-ID": "till-3-sale-9"})
            client.get("/v1/me", headers={"Authorization": "Bearer wrong"})
    lines = [r.msg for r in caplog.records if r.name == "bodega.access"]
    assert len(lines) == 2
    ok, denied = lines
    assert ok["event"] == "request"
    assert ok["request_id"] == "till-3-sale-9"
    assert ok["tenant_id"] == str(chain.tenant_id)
    assert (ok["method"], ok["path"], ok["status"]) == ("GET", "/v1/me", 200)
    assert denied["status"] == 401
    assert "tenant_id" not in denied
