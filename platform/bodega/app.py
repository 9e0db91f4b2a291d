"""``create_app(settings)``: the Litestar application, built on demand, never at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import msgspec
import structlog
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bodega import __version__
from bodega.api.auth import hash_token
from bodega.api.errors import exception_handlers, problem_response
from bodega.api.middleware import (
    RequestContextMiddleware,
    TenantTransactionMiddleware,
    finish_response,
)
from bodega.api.routing import NO_AUTH, provide_actor
from bodega.audit.routes import AuditController
from bodega.catalog.routes import (
    CategoryController,
    ProductController,
    StoreController,
    SupplierController,
)
from bodega.db.engine import BodegaEngine, bind_tables, no_session_state
from bodega.db.tables import all_tables
from bodega.db.urls import app_database_url
from bodega.events.routes import (
    EventController,
    WebhookDeliveryController,
    WebhookEndpointController,
)
from bodega.graphql import graphql_controller
from bodega.inventory.routes import StockController
from bodega.membership.routes import MemberController
from bodega.observability import configure_logging
from bodega.ordering.routes import OrderController
from bodega.plugins import PluginHost, build_plugin_manager
from bodega.plugins.mount import plugin_routers
from bodega.plugins.routes import PluginController
from bodega.points.routes import (
    MemberPointsController,
    PointsRuleController,
    PointsSettingsController,
)
from bodega.pricing.routes import (
    PriceChangeController,
    PriceHistoryController,
    PriceListController,
    QuoteController,
)
from bodega.promotions.routes import MarkdownRuleController, PromotionController
from bodega.purchasing.routes import GoodsReceiptController, PurchaseOrderController
from bodega.replenishment.routes import DemandCalendarController, SuggestionController
from bodega.segments.routes import MemberSegmentController, SegmentController
from bodega.settings import Settings
from bodega.tenancy import Policy
from bodega.tenancy.routes import (
    ApiKeyController,
    AuthController,
    InvitationController,
    TenantController,
    UserController,
)
from bodega.tiers.routes import (
    MemberTierController,
    StripeWebhookController,
    TierController,
)
from bodega.tiers.stripe_gateway import StripeGateway

__all__ = ["create_app"]

_log = structlog.get_logger("bodega.api")

ROUTE_HANDLERS = [
    AuthController,
    TenantController,
    UserController,
    InvitationController,
    ApiKeyController,
    AuditController,
    StoreController,
    CategoryController,
    SupplierController,
    ProductController,
    StockController,
    OrderController,
    PurchaseOrderController,
    GoodsReceiptController,
    SuggestionController,
    DemandCalendarController,
    PromotionController,
    MarkdownRuleController,
    PriceListController,
    PriceChangeController,
    PriceHistoryController,
    QuoteController,
    MemberController,
    MemberPointsController,
    PointsRuleController,
    PointsSettingsController,
    MemberSegmentController,
    SegmentController,
    TierController,
    MemberTierController,
    StripeWebhookController,
    EventController,
    WebhookEndpointController,
    WebhookDeliveryController,
    PluginController,
]


class Health(msgspec.Struct):
    status: str
    version: str


class Readiness(msgspec.Struct):
    status: str
    database: bool
    redis: bool


@get("/health", security=NO_AUTH, tags=["operations"], summary="The process is alive")
async def health() -> Health:
    return Health(status="ok", version=__version__)


@get(
    "/ready",
    security=NO_AUTH,
    tags=["operations"],
    summary="The database and Redis answer",
    responses={
        503: ResponseSpec(
            data_container=dict[str, Any],
            description="Not ready (problem details)",
            media_type="application/problem+json",
            generate_examples=False,
        )
    },
)
async def ready(state: State) -> Any:
    database = redis = False
    try:
        async with state.engine.pool.acquire() as connection:
            database = await connection.fetchval("SELECT 1") == 1
    except Exception:
        database = False
    try:
        redis = bool(await state.redis.ping())
    except Exception:
        redis = False
    body = Readiness(
        status="ready" if database and redis else "unavailable", database=database, redis=redis
    )
    if database and redis:
        return body
    return problem_response(
        503,
        f"database={'up' if database else 'down'}, redis={'up' if redis else 'down'}",
        database=database,
        redis=redis,
    )


class MetricsController(PrometheusController):
    """Prometheus text format; not part of the API's OpenAPI description."""

    include_in_schema = False


class FailOpenStore(RedisStore):
    """The rate limiter's store: while Redis is unreachable, requests are let through (and a
    warning is logged) rather than failed, so the API keeps working without Redis."""

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        try:
            return await super().get(key, renew_for)
        except RedisError as exc:
            _log.warning("rate limit store unreachable; not limiting", error=str(exc))
            return None

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        with contextlib.suppress(RedisError):  # logged by get() on the same request
            await super().set(key, value, expires_in)


def _rate_limit_identifier(request: Request[Any, Any, Any]) -> str:
    """Per credential (API key or access token); anonymous callers per address."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        return "key:" + hash_token(authorization)[:32]
    client = request.client
    return "ip:" + (client.host if client else "unknown")


def create_app(settings: Settings, plugins: PluginHost | None = None) -> Litestar:
    """Build the API for ``settings`` with the installed plugins (or ``plugins``);
    connections open at start-up and close at shutdown."""
    configure_logging(settings)
    host = plugins or build_plugin_manager(settings)
    # short timeouts: with Redis unreachable, requests go on unthrottled instead of waiting
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1)
        if settings.redis_url
        else None
    )
    if redis is None:
        raise RuntimeError("no Redis configured: run through `bodega serve` or set REDIS_URL")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = BodegaEngine(
            config={
                "dsn": app_database_url(settings),
                "server_settings": {"application_name": "bodega"},
            }
        )
        await engine.start_connection_pool(
            min_size=1, max_size=settings.pool_size, reset=no_session_state
        )
        bind_tables(engine, all_tables(host.piccolo_apps()))
        app.state.engine = engine
        try:
            yield
        finally:
            await host.aclose()
            await engine.close_connection_pool()
            await redis.aclose()

    prometheus = PrometheusConfig(app_name="bodega", group_path=True, exclude=["/metrics"])

    return Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            *plugin_routers(host),
            graphql_controller(settings, host),
            health,
            ready,
            MetricsController,
        ],
        lifespan=[lifespan],
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
        middleware=[
            prometheus.middleware,
            RequestContextMiddleware(settings.max_body_bytes),
            RateLimitConfig(
                rate_limit=("minute", settings.rate_limit_per_minute),
                identifier_for_request=_rate_limit_identifier,
                exclude=["/health", "/ready", "/metrics", "/schema"],
            ).middleware,
            TenantTransactionMiddleware(),
        ],
        exception_handlers=exception_handlers,
        before_send=[finish_response],
        stores={
            "rate_limit": FailOpenStore(redis, namespace=f"{settings.redis_prefix}:rate_limit")
        },
        state=State(
            {
                "redis": redis,
                "plugins": host,
                "stripe": StripeGateway.from_settings(settings),
                "tenancy_policy": Policy(
                    access_token_ttl=timedelta(hours=settings.access_token_ttl_hours),
                    invitation_ttl=timedelta(hours=settings.invitation_ttl_hours),
                ),
            }
        ),
        openapi_config=OpenAPIConfig(
            title="Bodega API",
            version=__version__,
            description=(
                "Run a chain of small stores: catalog, users, API keys, audit log, events, "
                "webhooks and plugins. "
                "Authenticate with `Authorization: Bearer <access token or API key>`. "
                "Errors are RFC 9457 problem details; lists use cursor pagination; "
                "POSTs accept `Idempotency-Key`; updates carry the object's `version`."
            ),
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="Access token or API key"
                    )
                }
            ),
            security=[{"bearer": []}],
            servers=[Server(url="/")],
        ),
        logging_config=None,  # configure_logging() owns logging; Litestar's would replace it
        debug=False,
    )
