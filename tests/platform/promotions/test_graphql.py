"""Promotions and markdown rules through GraphQL: the same services as REST, the same rules
and errors (a refused input names its fields; a conflict carries its problem type)."""

from __future__ import annotations

from tests.conftest import graphql
from tests.platform.promotions.helpers import product, state

PROMOTION = """id name status version exclusive priority productIds channels
happyHours { days start end }
rule { type percent amount price buy get getProductIds quantity items { productId quantity }
       steps { spend off } repeat }"""
CREATE = (
    f"""mutation($input: PromotionInput!) {{ createPromotion(input: $input) {{ {PROMOTION} }} }}"""
)
UPDATE = f"""mutation($id: UUID!, $input: PromotionUpdateInput!) {{
  updatePromotion(id: $id, input: $input) {{ {PROMOTION} }} }}"""
PAUSE = """mutation($id: UUID!, $input: PausePromotionInput!) {
  pausePromotion(id: $id, input: $input) { id status version } }"""
RESUME = """mutation($id: UUID!, $input: ResumePromotionInput!) {
  resumePromotion(id: $id, input: $input) { id status version } }"""
ARCHIVE = "mutation($id: UUID!) { archivePromotion(id: $id) }"
READ = f"query($id: UUID!) {{ promotion(id: $id) {{ {PROMOTION} }} }}"
LIST = """query($kind: String, $productId: UUID) {
  promotions(first: 50, kind: $kind, productId: $productId) { data { id } nextCursor } }"""
RULE = "id name basis status version floorPercent steps { hoursBefore percent } storeIds"
CREATE_RULE = (
    f"mutation($input: MarkdownRuleInput!) {{ createMarkdownRule(input: $input) {{ {RULE} }} }}"
)
UPDATE_RULE = f"""mutation($id: UUID!, $input: MarkdownRuleUpdateInput!) {{
  updateMarkdownRule(id: $id, input: $input) {{ {RULE} }} }}"""
RULES = f'query {{ markdownRules(first: 50, basis: "closing") {{ data {{ {RULE} }} }} }}'


def test_a_promotion_from_create_to_archive(client, chain):
    h = chain.headers
    tea = product(client, chain, "G-TEA")
    made = graphql(
        client,
        h,
        CREATE,
        input={
            "name": "Tea time",
            "rule": {"type": "multi_buy", "quantity": 3, "price": 1000},
            "productIds": [tea["id"]],
            "channels": ["pos"],
            "exclusive": True,
            "happyHours": [{"days": [6, 7], "start": "15:00", "end": "17:00"}],
        },
    )
    assert "errors" not in made, made
    promo = made["data"]["createPromotion"]
    assert promo["rule"]["type"] == "multi_buy"
    assert (promo["rule"]["quantity"], promo["rule"]["price"], promo["rule"]["percent"]) == (
        3,
        1000,
        None,
    )
    assert promo["happyHours"] == [{"days": [6, 7], "start": "15:00", "end": "17:00"}]

    changed = graphql(
        client,
        h,
        UPDATE,
        id=promo["id"],
        input={"version": 1, "rule": {"type": "percent_off", "percent": "15"}, "priority": 4},
    )
    assert changed["data"]["updatePromotion"]["rule"]["percent"] == "15.00", changed
    assert changed["data"]["updatePromotion"]["priority"] == 4
    paused = graphql(client, h, PAUSE, id=promo["id"], input={"version": 2})
    assert paused["data"]["pausePromotion"] == {"id": promo["id"], "status": "paused", "version": 3}
    resumed = graphql(client, h, RESUME, id=promo["id"], input={"version": 3})
    assert resumed["data"]["resumePromotion"]["status"] == "active", resumed
    listed = graphql(client, h, LIST, kind="percent_off", productId=tea["id"])
    assert listed["data"]["promotions"]["data"] == [{"id": promo["id"]}]
    assert graphql(client, h, ARCHIVE, id=promo["id"]) == {"data": {"archivePromotion": True}}
    read = graphql(client, h, READ, id=promo["id"])["data"]["promotion"]
    assert (read["status"], read["version"]) == ("archived", 5)


def test_refusals_carry_their_fields_and_types(client, chain):
    """A contradictory input is BAD_USER_INPUT naming each field; a competing exclusive is a
    CONFLICT of type promotion-conflict naming the other; an unknown kind filter is refused.
    Nothing is written."""
    h = chain.headers
    jam = product(client, chain, "G-JAM")
    first = graphql(
        client,
        h,
        CREATE,
        input={
            "name": "Jam",
            "rule": {"type": "amount_off", "amount": 50},
            "productIds": [jam["id"]],
            "exclusive": True,
            "priority": 77,
        },
    )["data"]["createPromotion"]
    before = state(client, chain)
    bad = graphql(
        client,
        h,
        CREATE,
        input={
            "name": "Bad",
            "rule": {"type": "threshold", "steps": [{"spend": 100, "off": 100}], "percent": "5"},
            "perMemberLimit": 1,
        },
    )
    (error,) = bad["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert {e["field"] for e in error["extensions"]["errors"]} == {
        "rule.steps[0].off",
        "rule.percent",
        "per_member_limit",
    }
    rival = graphql(
        client,
        h,
        CREATE,
        input={
            "name": "Jam too",
            "rule": {"type": "percent_off", "percent": "5"},
            "productIds": [jam["id"]],
            "exclusive": True,
            "priority": 77,
        },
    )
    (error,) = rival["errors"]
    assert error["extensions"]["type"] == "/problems/promotion-conflict"
    assert error["extensions"]["conflicts_with"] == {"id": first["id"], "name": "Jam"}
    unknown = graphql(client, h, LIST, kind="half_off")
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert state(client, chain) == before


def test_markdown_rules(client, chain):
    h = chain.headers
    made = graphql(
        client,
        h,
        CREATE_RULE,
        input={
            "name": "Sushi close",
            "basis": "closing",
            "steps": [
                {"hoursBefore": "2", "percent": "30"},
                {"hoursBefore": "0.5", "percent": "60"},
            ],
            "floorPercent": "25",
        },
    )
    assert "errors" not in made, made
    rule = made["data"]["createMarkdownRule"]
    assert rule["steps"] == [
        {"hoursBefore": "2.00", "percent": "30.00"},
        {"hoursBefore": "0.50", "percent": "60.00"},
    ]
    assert rule["floorPercent"] == "25.00"
    paused = graphql(
        client, h, UPDATE_RULE, id=rule["id"], input={"version": 1, "status": "paused"}
    )
    assert paused["data"]["updateMarkdownRule"]["status"] == "paused", paused
    listed = graphql(client, h, RULES)["data"]["markdownRules"]["data"]
    assert [r["id"] for r in listed] == [rule["id"]]
    refused = graphql(
        client,
        h,
        UPDATE_RULE,
        id=rule["id"],
        input={
            "version": 2,
            "steps": [{"hoursBefore": "1", "percent": "10"}, {"hoursBefore": "2", "percent": "5"}],
        },
    )
    fields = {e["field"] for e in refused["errors"][0]["extensions"]["errors"]}
    assert fields == {"steps[1].hours_before", "steps[1].percent"}
    archived = graphql(
        client, h, "mutation($id: UUID!) { archiveMarkdownRule(id: $id) }", id=rule["id"]
    )
    assert archived == {"data": {"archiveMarkdownRule": True}}
