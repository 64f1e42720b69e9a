"""The pricing function, case by case: each row is a price list, an order's inputs and the price expected."""

import pytest

from app.pricing import PriceInputs, Rule, price

CITY = [
    Rule("base", amount=500),
    Rule("distance", band_from=0, band_to=5, per_unit=0),
    Rule("distance", band_from=5, band_to=20, amount=200, per_unit=80),
    Rule("distance", band_from=20, amount=1000, per_unit=60),
    Rule("weight", band_from=0, band_to=10),
    Rule("weight", band_from=10, band_to=30, amount=300),
    Rule("weight", band_from=30, amount=300, per_unit=20),
    Rule("volume", band_from=1, amount=400),
    Rule("zone", zone="75", amount=0),
    Rule("zone", zone="93", amount=250),
    Rule("zone", zone="9320", amount=150),
    Rule("urgency", band_from=0, band_to=2, amount=500, percent_bp=5000),
    Rule("urgency", band_from=2, band_to=6, amount=200),
    Rule("cod_fee", amount=100, percent_bp=150),
    Rule("waiting", band_from=10, per_unit=30),
    Rule("return", percent_bp=5000),
    Rule("minimum", amount=900),
]

CASES = [
    # (story, inputs, expected total, expected lines {kind: amount})
    ("a short light parcel in Paris pays the base fare topped up to the minimum",
     PriceInputs(distance_km=3, weight_kg=2, zone="75011"), 900,
     {"base": 500, "distance": 0, "weight": 0, "zone": 0, "minimum": 400}),
    ("12 km is in the middle band: 200 + 12 × 80",
     PriceInputs(distance_km=12, weight_kg=2, zone="75011"), 500 + 200 + 960,
     {"base": 500, "distance": 1160, "weight": 0, "zone": 0}),
    ("a band's lower bound is inclusive: exactly 5 km is the middle band",
     PriceInputs(distance_km=5, zone="75001"), 500 + 200 + 400, {"distance": 600}),
    ("the open top band prices far deliveries",
     PriceInputs(distance_km=40), 500 + 1000 + 2400, {"distance": 3400}),
    ("a heavy parcel pays the weight band with a per-kg part",
     PriceInputs(distance_km=12, weight_kg=35), 500 + 1160 + 300 + 700, {"weight": 1000}),
    ("a bulky parcel pays the volume rule",
     PriceInputs(distance_km=12, volume_m3=1.5), 500 + 1160 + 400, {"volume": 400}),
    ("the longest matching zone wins: Saint-Denis 93200 is 150, not 250",
     PriceInputs(distance_km=12, zone="93200"), 500 + 1160 + 150, {"zone": 150}),
    ("another 93 postcode pays the department's zone fee",
     PriceInputs(distance_km=12, zone="93100"), 500 + 1160 + 250, {"zone": 250}),
    ("a rush order (1 h notice) pays a fixed fee and half the transport",
     PriceInputs(distance_km=12, zone="75011", notice_hours=1), 1660 + 500 + 830, {"urgency": 1330}),
    ("same-day with 4 h notice pays the smaller urgency fee",
     PriceInputs(distance_km=12, notice_hours=4), 1660 + 200, {"urgency": 200}),
    ("plenty of notice: no urgency",
     PriceInputs(distance_km=12, notice_hours=30), 1660, {}),
    ("cash on delivery costs 1 € plus 1.5 % of the cash (45 € → 0.675 € rounds up to 68 cents)",
     PriceInputs(distance_km=12, cod_amount=4500), 1660 + 100 + 68, {"cod_fee": 168}),
    ("ten free minutes of waiting, then 30 cents a minute",
     PriceInputs(distance_km=12, waiting_minutes=25), 1660 + 450, {"waiting": 450}),
    ("waiting within the free minutes costs nothing",
     PriceInputs(distance_km=12, waiting_minutes=10), 1660, {}),
    ("a return costs half the transport",
     PriceInputs(distance_km=12, with_return=True), 1660 + 830, {"return": 830}),
]


@pytest.mark.parametrize("story, inputs, total, lines", CASES, ids=[case[0] for case in CASES])
def test_price_list_rules(story, inputs, total, lines):
    quote = price(CITY, inputs, "EUR")
    assert quote.total == total
    amounts = {line.kind: line.amount for line in quote.lines}
    for kind, amount in lines.items():
        assert amounts[kind] == amount, kind
    assert sum(line.amount for line in quote.lines) == quote.total


def test_an_empty_price_list_prices_nothing():
    assert price([], PriceInputs(distance_km=10, weight_kg=5), "EUR").total == 0


def test_a_value_outside_every_band_adds_no_line():
    rules = [Rule("distance", band_from=0, band_to=5, per_unit=100)]
    quote = price(rules, PriceInputs(distance_km=7), "EUR")
    assert quote.lines == [] and quote.total == 0


def test_the_breakdown_is_plain_data_for_storage():
    quote = price([Rule("base", amount=700), Rule("minimum", amount=1000)], PriceInputs(), "PLN")
    assert quote.currency == "PLN"
    assert quote.breakdown() == [{"kind": "base", "amount": 700, "quantity": None},
                                 {"kind": "minimum", "amount": 300, "quantity": None}]
