"""The request pipeline around every route handler.

``RequestContextMiddleware`` (outermost) gives the request an id, binds it to the logs,
reads the whole body before anything touches the database (a slow client never holds a
connection "idle in transaction"), and refuses NUL bytes, which PostgreSQL cannot store.

``TenantTransactionMiddleware`` authenticates the bearer token, opens one transaction scoped
to the caller's tenant (RLS), answers idempotent retries, and commits or rolls back by the
response status: a 4xx or 5xx leaves nothing written.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from bodega.api.auth import Actor
from bodega.api.errors import BodegaError, InvalidInput, Unauthorized
from bodega.db import engine as db
from bodega.db.ids import new_id

__all__ = ["RequestContextMiddleware", "TenantTransactionMiddleware", "finish_response"]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
IDEMPOTENCY_TTL_HOURS = 24
_access_log = structlog.get_logger("bodega.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def finish_response(message: Message, scope: Scope) -> None:
    """``before_send`` hook: every response, errors included, names its request in a header,
    and is logged once (method, path, status, duration; request and tenant ids bound)."""
    state = scope.get("state", {})
    request_id = state.get("request_id")
    if message["type"] != "http.response.start" or not request_id:
        return
    MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
    _access_log.info(
        "request",
        method=scope.get("method"),
        path=scope.get("path"),
        status=message["status"],
        duration_ms=round((time.perf_counter() - state["started"]) * 1000, 2),
    )


class RequestContextMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started"] = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        body = await self._read_body(receive)
        if (
            b"\x00" in body
            or b"\\u0000" in body
            or "%00" in scope.get("query_string", b"").decode("latin-1")
            or "\x00" in scope.get("path", "")
        ):
            raise BodegaError("Text may not contain NUL (\\u0000) characters.")
        state["body"] = body
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await next_app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge(self.max_body_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class _TooLarge(BodegaError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit} bytes.")


class _KeyReused(InvalidInput):
    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was used for a different request; use a new key.")


class TenantTransactionMiddleware(ASGIMiddleware):
    """Authenticate, scope to the tenant, run the handler in one transaction."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        authorization = _header(scope, b"authorization")
        public = scope["route_handler"].opt.get("anonymous_transaction", False)
        if not authorization and not public:
            await next_app(scope, receive, send)
            return
        engine = scope["litestar_app"].state.engine
        messages: list[Message] = []
        async with db.transaction(engine) as tx:
            idempotency = None
            if authorization:
                actor = await _authenticate(_bearer(authorization))
                await db.set_tenant(actor.tenant_id)
                scope["state"]["actor"] = actor
                structlog.contextvars.bind_contextvars(tenant_id=str(actor.tenant_id))
                idempotency = await _Idempotency.begin(scope)
                if idempotency is not None and idempotency.replay is not None:
                    await tx.rollback()
                    await idempotency.send_replay(send)
                    return

            async def capture(message: Message) -> None:
                messages.append(message)

            await next_app(scope, receive, capture)
            status = next(
                (m["status"] for m in messages if m["type"] == "http.response.start"), 500
            )
            if status < 400:
                if idempotency is not None:
                    await idempotency.store(status, messages)
                await tx.commit()
            else:
                await tx.rollback()
        for message in messages:
            await send(message)


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <access token or API key>'.")
    return token.strip()


async def _authenticate(token: str) -> Actor:
    from bodega.tenancy import authenticate  # the tenancy domain owns credentials

    actor = await authenticate(token)
    if actor is None:
        raise Unauthorized("The access token or API key is invalid, expired or revoked.")
    return actor


class _Idempotency:
    """``Idempotency-Key`` on a POST: the first answer is stored and replayed on retries.

    The key is inserted before the handler runs, inside the request's transaction, so a
    concurrent retry waits on the unique index until the first request commits, then
    replays its answer. A request that fails (4xx/5xx) rolls back with its key: retrying it
    runs it again.
    """

    def __init__(self, tenant_id: uuid.UUID, key: str, fingerprint: str) -> None:
        self.tenant_id = tenant_id
        self.key = key
        self.fingerprint = fingerprint
        self.replay: tuple[int, str, bytes] | None = None

    @classmethod
    async def begin(cls, scope: Scope) -> _Idempotency | None:
        key = _header(scope, b"idempotency-key")
        if scope["method"] != "POST" or key is None:
            return None
        if not 1 <= len(key) <= 255:
            raise InvalidInput("Idempotency-Key must be 1 to 255 characters.")
        actor: Actor = scope["state"]["actor"]
        digest = hashlib.sha256()
        for part in (
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
        ):
            digest.update(part.encode() + b"\0")
        digest.update(scope["state"]["body"])
        self = cls(actor.tenant_id, key, digest.hexdigest())
        await db.execute(
            "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 "
            "AND created_at < now() - make_interval(hours => $3)",
            self.tenant_id,
            key,
            IDEMPOTENCY_TTL_HOURS,
        )
        inserted = await db.fetchval(
            "INSERT INTO idempotency_keys (id, tenant_id, key, fingerprint) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id",
            new_id(),
            self.tenant_id,
            key,
            self.fingerprint,
        )
        if inserted is None:
            row = await db.fetchrow(
                "SELECT fingerprint, status, content_type, body FROM idempotency_keys "
                "WHERE tenant_id = $1 AND key = $2",
                self.tenant_id,
                key,
            )
            if row is None or row["status"] is None:
                raise BodegaError(
                    "A request with this Idempotency-Key is still in progress; retry."
                )
            if row["fingerprint"] != self.fingerprint:
                raise _KeyReused()
            self.replay = (row["status"], row["content_type"], bytes(row["body"]))
        return self

    async def store(self, status: int, messages: list[Message]) -> None:
        start = next(m for m in messages if m["type"] == "http.response.start")
        content_type = dict(start.get("headers", [])).get(b"content-type", b"application/json")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        await db.execute(
            "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 "
            "WHERE tenant_id = $1 AND key = $2",
            self.tenant_id,
            self.key,
            status,
            content_type.decode("latin-1"),
            body,
        )

    async def send_replay(self, send: Send) -> None:
        assert self.replay is not None
        status, content_type, body = self.replay
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode("latin-1")),
                    (b"content-length", str(len(body)).encode()),
                    (b"idempotent-replayed", b"true"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
