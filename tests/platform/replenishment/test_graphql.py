"""Suggested store orders through GraphQL: the same services as REST, the same answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import graphql
from tests.platform.catalog.helpers import create
from tests.platform.replenishment.helpers import product, store_today, supplier, write_history

RUN = """
mutation($storeId: UUID!, $input: SuggestionRunInput) {
  runSuggestions(storeId: $storeId, input: $input) { id status lineCount orderLineCount version }
}"""
READ = """
query($id: UUID!) {
  suggestionRun(id: $id) {
    id storeId status serviceLevel
    lines { id productId classification daily suggestedQuantity quantity reasons version }
    ordered: lines(orderedOnly: true) { id }
  }
}"""
EDIT = """
mutation($id: UUID!, $input: SuggestionLineUpdateInput!) {
  updateSuggestionLine(id: $id, input: $input) { id quantity editedQuantity version }
}"""
CONVERT = """
mutation($id: UUID!, $input: ConvertSuggestionRunInput!) {
  convertSuggestionRun(id: $id, input: $input) {
    run { id status } purchaseOrders { id supplierId lineCount total } linesWithoutSupplier
  }
}"""


@pytest.fixture(scope="module")
def setup(client, chain):
    shop = create(client, chain, "/v1/stores", code="GQL", name="GraphQL shop")
    bakery = supplier(client, chain, "GQL-B", lead_time_days=1, order_days=list(range(1, 8)))
    bread = product(client, chain, "GQL-BREAD", supplier_id=bakery["id"], case_pack=5)
    write_history(
        client,
        chain,
        shop["id"],
        bread["id"],
        start=store_today() - timedelta(days=35),
        sales=[10] * 35,
        receipts={0: 352},
    )
    return shop, bread


def test_run_read_edit_and_convert(client, chain, setup):
    """10 a day over 2 days, 2 on hand: 18 short, 4 cases of 5 = 20."""
    shop, bread = setup
    made = graphql(client, chain.headers, RUN, storeId=shop["id"], input={"serviceLevel": "0.5"})
    assert "errors" not in made, made
    run = made["data"]["runSuggestions"]
    assert (run["status"], run["lineCount"], run["orderLineCount"]) == ("completed", 1, 1)
    read = graphql(client, chain.headers, READ, id=run["id"])["data"]["suggestionRun"]
    (line,) = read["lines"]
    assert read["serviceLevel"] == "0.500"
    assert read["ordered"] == [{"id": line["id"]}]
    assert (line["productId"], line["suggestedQuantity"], line["quantity"]) == (
        bread["id"],
        "20.000",
        "20.000",
    )
    assert line["reasons"]["text"].endswith("Order 20.")
    rest = client.get(f"/v1/suggestion-lines/{line['id']}", headers=chain.headers).json()
    assert rest["reasons"] == line["reasons"]
    bad = graphql(client, chain.headers, EDIT, id=line["id"], input={"version": 1, "quantity": "7"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    edited = graphql(
        client, chain.headers, EDIT, id=line["id"], input={"version": 1, "quantity": "25"}
    )
    assert edited["data"]["updateSuggestionLine"]["quantity"] == "25.000", edited
    version = client.get(f"/v1/suggestion-runs/{run['id']}", headers=chain.headers).json()[
        "version"
    ]
    converted = graphql(client, chain.headers, CONVERT, id=run["id"], input={"version": version})
    body = converted["data"]["convertSuggestionRun"]
    assert body["run"]["status"] == "converted", converted
    assert [o["lineCount"] for o in body["purchaseOrders"]] == [1]
    listed = graphql(
        client,
        chain.headers,
        'query($s: UUID) { suggestionRuns(storeId: $s, status: "converted")'
        " { data { id lines { id } ordered: lines(orderedOnly: true) { id } } } }",
        s=shop["id"],
    )
    assert listed["data"]["suggestionRuns"]["data"] == [
        {"id": run["id"], "lines": [{"id": line["id"]}], "ordered": [{"id": line["id"]}]}
    ]


def test_calendar_and_accuracy(client, chain, setup):
    shop, _ = setup
    made = graphql(
        client,
        chain.headers,
        "mutation($input: DemandCalendarEntryInput!) {"
        " createDemandCalendarEntry(input: $input) { id multiplier version } }",
        input={
            "day": "2027-01-28",
            "multiplier": "1.6",
            "label": "Little New Year",
            "storeId": shop["id"],
        },
    )
    entry = made["data"]["createDemandCalendarEntry"]
    assert entry["multiplier"] == "1.600", made
    changed = graphql(
        client,
        chain.headers,
        "mutation($id: UUID!, $input: DemandCalendarEntryUpdateInput!) {"
        " updateDemandCalendarEntry(id: $id, input: $input) { label version } }",
        id=entry["id"],
        input={"version": 1, "label": "Xiaonian"},
    )
    assert changed["data"]["updateDemandCalendarEntry"] == {"label": "Xiaonian", "version": 2}
    listed = graphql(
        client,
        chain.headers,
        "query($s: UUID) { demandCalendar(storeId: $s) { data { id } } }",
        s=shop["id"],
    )
    assert listed["data"]["demandCalendar"]["data"] == [{"id": entry["id"]}]
    gone = graphql(
        client,
        chain.headers,
        "mutation($id: UUID!) { deleteDemandCalendarEntry(id: $id) }",
        id=entry["id"],
    )
    assert gone["data"]["deleteDemandCalendarEntry"] is True
    accuracy = graphql(
        client,
        chain.headers,
        "query($s: UUID!) { forecastAccuracy(storeId: $s, days: 7) {"
        " runs daysCompared wape byClassification { classification } } }",
        s=shop["id"],
    )
    assert accuracy["data"]["forecastAccuracy"]["daysCompared"] == 0, accuracy
    too_long = graphql(
        client,
        chain.headers,
        "query($s: UUID!) { forecastAccuracy(storeId: $s, days: 999) { runs } }",
        s=shop["id"],
    )
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
