"""Counting uses (the services the quote engine and orders call): limits in all and per member,
refusals that count nothing, giving uses back, concurrent claims of the last use; what quotes
read (the promotions running at a time, the generation stamp)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bodega.api.auth import system_actor
from bodega.api.errors import NotFound
from bodega.db import engine as db
from bodega.promotions import (
    PromotionExhausted,
    active_promotions,
    claim_promotion_uses,
    get_promotion,
    member_promotion_uses,
    promotions_generation,
    release_promotion_uses,
)
from tests.platform.promotions.helpers import act, call_service, ids, percent_off, promotion

ALICE, BOB = uuid.uuid4(), uuid.uuid4()


def _uses(client, chain, *promos):
    return [call_service(client, chain, get_promotion, i).uses for i in ids(*promos)]


def test_uses_are_counted_up_to_the_limit(client, chain):
    """Each claim counts one use of each promotion named (twice in one claim is once); the
    claim that would pass a limit is refused naming the promotion, and counts nothing."""
    limited = promotion(client, chain, **percent_off("10", name="First 2"), usage_limit=2)
    open_ended = promotion(client, chain, **percent_off("5"))
    both = ids(limited, open_ended)
    call_service(client, chain, claim_promotion_uses, [*both, both[0]], None)
    call_service(client, chain, claim_promotion_uses, both, None)
    assert _uses(client, chain, limited, open_ended) == [2, 2]
    with pytest.raises(PromotionExhausted) as refused:
        call_service(client, chain, claim_promotion_uses, both, None)
    assert refused.value.extra["promotion"] == {"id": limited["id"], "name": "First 2"}
    assert "used up (2 of 2)" in refused.value.detail
    assert refused.value.status == 409
    assert _uses(client, chain, limited, open_ended) == [2, 2]
    call_service(client, chain, release_promotion_uses, both, None)
    assert _uses(client, chain, limited, open_ended) == [1, 1]
    call_service(client, chain, claim_promotion_uses, both, None)
    assert _uses(client, chain, limited, open_ended) == [2, 2]
    assert call_service(client, chain, claim_promotion_uses, [], None) is None


def test_each_member_has_their_own_count(client, chain):
    """A per-member limit of 1: Alice once, Bob once; Alice's second claim is refused and
    counts nothing (not even the promotion without a member limit in the same claim); a
    claim without a member is refused; giving Alice's use back lets her use it again."""
    once = promotion(
        client, chain, **percent_off("20", name="Welcome"), members_only=True, per_member_limit=1
    )
    other = promotion(client, chain, **percent_off("1"))
    pair = ids(once, other)
    call_service(client, chain, claim_promotion_uses, pair, ALICE)
    call_service(client, chain, claim_promotion_uses, pair, BOB)
    assert call_service(client, chain, member_promotion_uses, pair, ALICE) == {
        pair[0]: 1,
        pair[1]: 0,
    }
    with pytest.raises(PromotionExhausted, match=r"already used by this member \(1 of 1\)"):
        call_service(client, chain, claim_promotion_uses, pair, ALICE)
    with pytest.raises(PromotionExhausted, match="needs a member"):
        call_service(client, chain, claim_promotion_uses, pair, None)
    assert _uses(client, chain, once, other) == [2, 2]
    call_service(client, chain, release_promotion_uses, pair, ALICE)
    assert call_service(client, chain, member_promotion_uses, pair, ALICE) == {
        pair[0]: 0,
        pair[1]: 0,
    }
    call_service(client, chain, claim_promotion_uses, pair, ALICE)
    assert _uses(client, chain, once, other) == [2, 2]


def test_an_unknown_promotion_is_not_found(client, chain, other_chain):
    """Another chain's promotion is unknown, like one that never existed."""
    theirs = promotion(client, other_chain, **percent_off("10"))
    for missing in (uuid.uuid4(), uuid.UUID(theirs["id"])):
        with pytest.raises(NotFound):
            call_service(client, chain, claim_promotion_uses, [missing], None)
    assert _uses(client, other_chain, theirs) == [0]


def test_two_tills_claiming_the_last_use(client, chain):
    """Both claim the last use at once: one gets it, the other is refused once the first
    committed; the count ends at the limit."""
    last = promotion(client, chain, **percent_off("30", name="Last one"), usage_limit=1)
    actor = system_actor(chain.tenant_id, frozenset({"pricing:write"}))
    engine = client.app.state.engine

    async def till() -> str:
        try:
            async with db.transaction(engine, chain.tenant_id):
                await claim_promotion_uses(actor, ids(last), None)
                await asyncio.sleep(0.05)  # hold the lock while the other till waits
        except PromotionExhausted:
            return "refused"
        return "claimed"

    async def both() -> list[str]:
        return sorted(await asyncio.gather(till(), till()))

    assert client.blocking_portal.call(both) == ["claimed", "refused"]
    assert _uses(client, chain, last) == [1]


def test_what_quotes_read(client, chain):
    """The promotions running at a time (or every active one, whatever its dates); the
    generation changes with every change of a promotion, but not with a use."""
    now = datetime.now(UTC)
    later = promotion(
        client,
        chain,
        **percent_off("7", name="Next week"),
        priority=5,
        starts_at=(now + timedelta(days=7)).isoformat(),
    )
    running = promotion(client, chain, **percent_off("8", name="Now"), priority=9)
    generation = call_service(client, chain, promotions_generation)
    at_now = call_service(client, chain, active_promotions, at=now + timedelta(seconds=1))
    names = [p.name for p in at_now]
    assert "Now" in names
    assert "Next week" not in names
    assert [p.priority for p in at_now] == sorted((p.priority for p in at_now), reverse=True)
    every = [p.name for p in call_service(client, chain, active_promotions, at=None)]
    assert {"Now", "Next week"} <= set(every)
    call_service(client, chain, claim_promotion_uses, ids(running), None)
    assert call_service(client, chain, promotions_generation) == generation
    paused = act(client, chain, later, "pause")
    assert paused.status_code == 200
    changed = call_service(client, chain, promotions_generation)
    assert changed != generation
    assert "Next week" not in [
        p.name for p in call_service(client, chain, active_promotions, at=None)
    ]
    promotion(client, chain, **percent_off("9"))
    assert call_service(client, chain, promotions_generation) not in (generation, changed)
