"""Tests for snippets/order_number/: fixtures, units and the CLI contract.

The fixtures in tests/fixtures/mails/ are hand-written mails; their expected
results in expected.json were written by hand from the facts in issue 3,
never copied from the extractor's output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "snippets" / "order_number"  # the package folder: python runs its __main__.py
FIXTURES = ROOT / "tests" / "fixtures" / "mails"
sys.path.insert(0, str(SCRIPT.parent))

import order_number as on  # noqa: E402

EXPECTED: dict = {
    name: value
    for name, value in json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.name != "expected.json")
TOP_LEVEL_KEYS = {
    "order_numbers", "orders", "tracking_numbers", "tracking", "product_ids",
    "other_ids", "not_aliexpress", "shop", "notes", "not_listed",
}
ORDER = "8123456789012345"  # a made-up, format-correct order number
OTHER = "8987654321098765"  # a second one, for mails with two orders


def result_of(name: str) -> dict:
    return on.extract((FIXTURES / name).read_bytes()).to_dict()


def orders_in(text: str | bytes) -> list[str]:
    return on.extract(text).order_numbers


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


def test_there_are_enough_fixtures_and_each_has_an_expectation():
    assert len(FIXTURE_NAMES) >= 45
    assert sorted(EXPECTED) == FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_gives_the_expected_result(name):
    expected = EXPECTED[name]
    result = result_of(name)
    for key in ("order_numbers", "tracking_numbers", "product_ids", "not_aliexpress"):
        assert result[key] == expected[key], key
    if "shop" in expected:
        assert result["shop"] == expected["shop"]
    set_aside = {(item["value"], item["kind"]) for item in result["other_ids"]}
    for value, kind in expected.get("other_ids", []):
        assert (value, kind) in set_aside
    for note in expected.get("notes", []):
        assert note in result["notes"]
    kinds = {order["value"]: {e["kind"] for e in order["evidence"]} for order in result["orders"]}
    for value, wanted in expected.get("evidence", {}).items():
        assert set(wanted) <= kinds[value], value
    carriers = {item["value"]: item["carrier"] for item in result["tracking"]}
    for value, carrier in expected.get("carriers", {}).items():
        assert carriers[value] == carrier, value
    output = on.run_json((FIXTURES / name).read_bytes())
    for hidden in expected.get("absent", []):
        assert hidden not in output


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_result_has_the_documented_shape(name):
    result = on.extract((FIXTURES / name).read_bytes())
    data = result.to_dict()
    assert set(data) == TOP_LEVEL_KEYS
    assert json.loads(on.to_json(result)) == data
    assert on.to_json(result) == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert data["order_numbers"] == [order["value"] for order in data["orders"]]
    assert len(set(data["order_numbers"])) == len(data["order_numbers"])
    assert all(value.isdigit() and value.isascii() for value in data["order_numbers"])
    assert data["tracking_numbers"] == [item["value"] for item in data["tracking"]]
    assert all(value == value.upper() for value in data["tracking_numbers"])
    assert data["not_aliexpress"] == (data["shop"] is not None)
    snippets = [e["snippet"] for o in data["orders"] for e in o["evidence"]]
    snippets += [t["snippet"] for t in data["tracking"]] + [o["snippet"] for o in data["other_ids"]]
    for snippet in snippets:
        assert len(snippet) <= 80 and "\n" not in snippet
        assert "<" not in snippet and ">" not in snippet
    for order in data["orders"]:
        assert order["evidence"]
        assert {e["kind"] for e in order["evidence"]} <= {"label", "link", "subject", "context"}
    for item in data["tracking"]:
        assert item["check_digit_valid"] in (True, None)
        assert set(item) == {"value", "carrier", "format", "check_digit_valid", "snippet"}
    assert all(set(item) == {"value", "kind", "snippet"} for item in data["other_ids"])


def _is_utf8(name: str) -> bool:
    try:
        (FIXTURES / name).read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if _is_utf8(n)])
def test_text_and_bytes_give_the_same_result(name):
    raw = (FIXTURES / name).read_bytes()
    assert on.run_json(raw.decode("utf-8")) == on.run_json(raw)


def test_hostile_html_returns_no_markup():
    output = on.run_json((FIXTURES / "45-hostile.html").read_bytes())
    for fragment in ("<", ">", "javascript:", "onerror", "alert('"):
        assert fragment not in output


# ---------------------------------------------------------------------------
# Labels, subjects and links
# ---------------------------------------------------------------------------

LABELS = [
    "Order ID: {n}", "Order number: {n}", "Order No. {n}", "Order #{n}", "Ref. Number: {n}",
    "Bestell-Nr.: {n}", "Bestellnummer: {n}", "N° de commande : {n}", "Numéro de commande : {n}",
    "Número de pedido: {n}", "Nº de pedido: {n}", "Ordernummer: {n}", "Beställningsnummer: {n}",
    "Order-ID: {n}", "Ordrenummer: {n}", "Bestillingsnummer: {n}", "Tilausnumero: {n}",
    "Numer zamówienia: {n}", "Номер заказа: {n}", "Заказ № {n}", "Numero d'ordine: {n}",
    "Ordine n. {n}", "Bestelnummer: {n}", "Número do pedido: {n}", "Ditt ordernummer är {n}",
    "Your order number is {n}", "ORDER ID:{n}", "Order ID\t{n}", "Order ID\n{n}",
]


@pytest.mark.parametrize("template", LABELS)
def test_labelled_order_number_is_found_without_any_context(template):
    result = on.extract(template.format(n=ORDER)).to_dict()
    assert result["order_numbers"] == [ORDER]
    assert result["orders"][0]["evidence"][0]["kind"] == "label"


@pytest.mark.parametrize("subject, label", [
    ("Order {n}: order confirmed", "Order … : order confirmed"),
    ("Order {n}: ready to ship", "Order … : ready to ship"),
    ("Order {n}: order shipped", "Order … : order shipped"),
    ("Order {n}: delivered", "Order … : delivered"),
    ("Your order {n} is closed", "Your order … is closed"),
    ("Bestellung {n}: Zahlung bestätigt", "Bestellung … : Zahlung bestätigt"),
    ("Pedido {n}: pedido enviado", "Pedido … : pedido enviado"),
    ("Commande {n} : commande expédiée", "Commande … : commande expédiée"),
    ("VB: Order {n}: order shipped", "Order … : order shipped"),
])
def test_subject_lines(subject, label):
    result = on.extract(subject.format(n=ORDER)).to_dict()
    assert result["order_numbers"] == [ORDER]
    assert {"kind": "subject", "label": label} == {
        k: result["orders"][0]["evidence"][0][k] for k in ("kind", "label")
    }


def test_only_a_subject_line_is_called_the_subject():
    # The tool tells the reader "in the subject line"; a sentence in the body is not one.
    pasted = f"Hej!\nÄmne: SV: Order {ORDER}: order shipped\n\nThanks. Your order {OTHER} has shipped.\n"
    evidence = {o["value"]: o["evidence"][0]["kind"] for o in on.extract(pasted).to_dict()["orders"]}
    assert evidence == {ORDER: "subject", OTHER: "label"}


def test_subject_header_of_a_raw_message_is_decoded():
    raw = (b"From: AliExpress <transaction@notice.aliexpress.com>\r\nTo: a@example.se\r\n"
           b"Subject: =?UTF-8?Q?Order_8123456789012345=3A_order_shipped?=\r\n\r\nHello\r\n")
    assert orders_in(raw) == [ORDER]


@pytest.mark.parametrize("link, label", [
    ("https://www.aliexpress.com/p/order/detail.html?orderId={n}", "orderId="),
    ("https://www.aliexpress.com/p/order/detail.html?spm=a.b&amp;orderId={n}&amp;x=1", "orderId="),
    ("https://www.aliexpress.com/p/order/index.html?orderIds={n}", "orderIds="),
    ("https://trade.aliexpress.com/order_detail.htm?tradeOrderId={n}", "tradeOrderId="),
    ("https://track.aliexpress.com/logisticsdetail.htm?tradeId={n}&lang=sv", "tradeId="),
    ("https://www.aliexpress.com/p/feedback/index.html?o_ids={n}", "o_ids="),
    ("https://aliexpress.ru/order-list/{n}?filterName=all", "/order-list/"),
    ("https://click.aliexpress.com/e/_x?url=https%3A%2F%2Fwww.aliexpress.com%2Fp%2Forder%2Fdetail.html%3ForderId%3D{n}",
     "orderId%3D"),
])
def test_order_links(link, label):
    result = on.extract(link.format(n=ORDER)).to_dict()
    assert result["order_numbers"] == [ORDER]
    assert result["orders"][0]["evidence"][0] == {
        "kind": "link", "label": label, "snippet": result["orders"][0]["evidence"][0]["snippet"],
    }


@pytest.mark.parametrize("separator", [",", "%2C", "%2c"])
def test_order_ids_list_in_a_link(separator):
    second = "8123456789012346"
    link = f"https://www.aliexpress.com/p/order/index.html?orderIds={ORDER}{separator}{second}&x=1"
    assert orders_in(link) == [ORDER, second]


@pytest.mark.parametrize("link", [
    "https://www.aliexpress.com/item/1005001234567890.html",
    "https://www.aliexpress.com/item/usb-c-cable-2m/1005001234567890.html",
    "https://m.aliexpress.com/app/web/view.html?productId=1005001234567890",
    "https://www.aliexpress.us/item/3256801234567890.html",
])
def test_product_links_are_never_orders(link):
    result = on.extract("AliExpress order\nOrder details: " + link).to_dict()
    assert result["order_numbers"] == []
    assert len(result["product_ids"]) == 1


@pytest.mark.parametrize("link, kind", [
    ("https://www.aliexpress.com/item/1005001234567890.html?sku_id=12345678901234567", "sku"),
    ("https://payment.aliexpress.com/pay/result.htm?pmntId=8123456789012399", "payment"),
])
def test_sku_and_payment_parameters_are_set_aside(link, kind):
    result = on.extract("Your AliExpress order: " + link).to_dict()
    assert result["order_numbers"] == []
    assert [item["kind"] for item in result["other_ids"]] == [kind]


@pytest.mark.parametrize("parameter", ["pvid", "_t", "trackingNumber", "spm", "scm", "gps-id"])
def test_log_and_tracking_parameters_are_not_orders(parameter):
    text = f"AliExpress order shipped https://www.aliexpress.com/x.html?{parameter}={ORDER}"
    assert orders_in(text) == []


@pytest.mark.parametrize("text, number", [
    ("Order ID: 1005001234567890", "1005001234567890"),
    ("AliExpress\nNúmero de pedido: 3256123456789012", "3256123456789012"),
    ("https://www.aliexpress.com/p/order/detail.html?orderId=1005123456789012", "1005123456789012"),
    ("Subject: Order 3256123456789012: order shipped", "3256123456789012"),
])
def test_an_order_label_or_link_makes_an_order_whatever_its_first_digits(text, number):
    # Evidence before shape: the 1005/3256 prefixes of product IDs do not veto a label.
    result = on.extract(text).to_dict()
    assert (result["order_numbers"], result["product_ids"]) == ([number], [])


def test_a_product_id_needs_product_evidence():
    # A product-shaped number with no product link or label is not called a product.
    assert on.extract("AliExpress\nItem 1005001234567890 in stock").product_ids == []
    assert on.extract("AliExpress\nProduct ID: 1005001234567890").product_ids == ["1005001234567890"]


def test_product_evidence_wins_over_an_order_label_for_the_same_number_and_says_so():
    text = ("Order ID: 1005001234567890\n"
            "https://www.aliexpress.com/item/1005001234567890.html")
    result = on.extract(text).to_dict()
    assert (result["order_numbers"], result["product_ids"]) == ([], ["1005001234567890"])
    assert "product_evidence_wins" in result["notes"]


def test_order_word_in_running_text_does_not_make_a_product_shaped_number_an_order():
    # "Order 1005…" without a subject line: the shape breaks the tie.
    assert orders_in("AliExpress\nThanks! Order 1005001234567890 today and save") == []


# ---------------------------------------------------------------------------
# What copying does
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f"Order ID: {ORDER}Copy",
    f"Order ID: {ORDER}Kopiera",
    "Order ID: 8123 4567 8901 2345",
    "Order ID: 8123\u00a04567\u00a08901\u00a02345",
    "Order ID: 8123\u20094567\u20098901\u20092345",
    "Order ID: 8123-4567-8901-2345",
    "Order ID: 81234567\n89012345",
    "Order ID:\t81234567\t89012345",
    "Order ID: 8123\u200b4567\u200c8901\u200d2345",
    "Order ID: \u200e\u202a8123456789012345\u202c\u2069",
    "Order ID: \uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12\uff13\uff14\uff15",
    "> Order ID: 81234567\n> 89012345",
    "> > Order ID: 8123456789012345",
    "Order ID: 81234567=\n89012345",
    "Order ID: &#56;123456789012345",
    "Order\u00adID: 8123\u00ad456789012345",
])
def test_copy_artefacts_are_undone(text):
    assert orders_in(text) == [ORDER]


@pytest.mark.parametrize("text, package", [
    ("Order 315193141453520012", "315193141453520012"),  # the GLS Spain line, shortest form
    ("Tu pedido 315193141453520012 de Ecommerce", "315193141453520012"),
    ("Order ID: 38123456789012345", "38123456789012345"),  # 17 digits are never cut to 16
    (f"Bestellung 1{ORDER}", f"1{ORDER}"),  # no proof that "1" is a glued list index
])
def test_17_and_18_digits_after_an_order_label_are_a_package_never_cut(text, package):
    result = on.extract(text).to_dict()
    assert result["order_numbers"] == []
    assert [(o["value"], o["kind"]) for o in result["other_ids"]] == [(package, "package")]
    assert package[-16:] not in on.run_json(text).replace(package, "")


@pytest.mark.parametrize("text, short", [
    ("Order ID: 8123456789012", "8123456789012"),  # 13 digits: three missing from a 16-digit number
    ("Ordrenummer: 30312345678", "30312345678"),  # 11 digits
])
def test_too_few_digits_after_an_order_label_are_set_aside_as_short(text, short):
    result = on.extract(text).to_dict()
    assert result["order_numbers"] == []
    assert [(o["value"], o["kind"]) for o in result["other_ids"]] == [(short, "short_order")]


@pytest.mark.parametrize("text", [
    "Order ID: 4000123456789",  # 13 digits from 4000: a product ID's shape, not a short order
    "Order ID: 0123456789012",  # a leading zero
    "Order ID: 8123456789",  # 10 digits: too far from an order number to say digits are missing
])
def test_other_short_numbers_after_an_order_label_are_not_called_short_orders(text):
    result = on.extract(text).to_dict()
    assert result["order_numbers"] == [] and result["other_ids"] == []


def test_a_list_index_glued_to_an_order_found_whole_elsewhere_is_left_out():
    text = f"Subject: Order {ORDER}: order confirmed\nBestellung 1{ORDER}\n"
    result = on.extract(text).to_dict()
    assert result["order_numbers"] == [ORDER]
    assert result["other_ids"] == []
    assert "index_prefix_removed" in result["notes"]


def test_five_groups_of_four_are_not_an_order_number():
    assert orders_in("Order ID: 8123 4567 8901 2345 6789") == []


# ---------------------------------------------------------------------------
# Things that only look like order numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "AliExpress order\nPhone: +46 70 123 45 67",
    "AliExpress order\nTel: 004670123456789",
    "AliExpress order\nTelefon: 8123456789012345",
    "AliExpress order\nSeller phone +86 138 1234 5678",
    "AliExpress order\nTotal: US $1,234.56 (SEK 13 245,90)",
    "AliExpress order\nPrice 1234567890123,45 kr",
    "AliExpress order\nOrder date: 2024-05-12 14:32:10",
    "AliExpress order\nOrder placed 20240512143210",
    "AliExpress order\nPostnummer 114 55 Stockholm",
    "AliExpress order\nPackage 8123456789012345",
    "AliExpress order\nPaquete 812345678901234567",
    "AliExpress order\nPackstück 8123456789012345",
    "AliExpress order\nPayment ID: 8123456789012345",
    "AliExpress order\nTransaction ID: 8123456789012345",
    "AliExpress order\nTracking number: 8123456789012345",
    "AliExpress order\nProduct ID: 8123456789012345",
    "AliExpress order\nSKU: 8123456789012345",
    "AliExpress order\nIBAN SE45 5000 0000 0583 9825 7466",
    "AliExpress order\nhttps://ae01.alicdn.com/kf/S8123456789012345.jpg",
])
def test_lookalikes_are_not_order_numbers(text):
    assert orders_in(text) == []


def test_bare_number_needs_aliexpress_context_and_an_order_word():
    assert orders_in(f"Hello\n{ORDER}\nBye") == []
    assert orders_in(f"Your order\nwas sent\n{ORDER}") == []
    assert orders_in(f"AliExpress newsletter\nThank you!\n{ORDER}") == []
    result = on.extract(f"AliExpress\nOrder ID | Date\n{ORDER} | 12 May").to_dict()
    assert result["order_numbers"] == [ORDER]
    assert result["orders"][0]["evidence"][0]["kind"] == "context"


def test_order_evidence_beats_a_package_label_for_the_same_number():
    result = on.extract(f"Order ID: {ORDER}\nPackage {ORDER}").to_dict()
    assert result["order_numbers"] == [ORDER]
    assert result["other_ids"] == []


@pytest.mark.parametrize("shop, text", [
    ("Amazon", "Amazon.se\nTack för din beställning!\nOrdernummer: {n}"),  # a domain
    ("Temu", "From: Temu <orders@order.temu.com>\nYour order is on its way. Order ID: {n}"),  # sender
    ("Temu", "Från: Temu\nDin order är på väg. Ordernummer: {n}"),  # sender name in a pasted header
    ("Wish", "Thanks for shopping at wish.com\nOrder number: {n}"),
    ("Shein", "SHEIN\nOrder confirmation\nOrder number: {n}"),  # a letterhead line
    ("eBay", "Du har köpt en vara. Ordernummer: {n}\nhttps://www.ebay.se/mye/myebay"),  # a link
    ("Zalando", "Tack för din beställning!\nOrdernummer: {n}\nMed vänliga hälsningar\nZalando Kundservice"),
    ("CDON", "CDON\nOrdernummer: {n}"),
])
def test_other_shops_are_flagged_and_give_no_order(shop, text):
    result = on.extract(text.format(n=ORDER)).to_dict()
    assert (result["order_numbers"], result["not_aliexpress"], result["shop"]) == ([], True, shop)
    assert result["other_ids"] == [{"value": ORDER, "kind": "other_shop_order",
                                    "snippet": result["other_ids"][0]["snippet"]}]


@pytest.mark.parametrize("text", [
    "I wish order {n} had arrived",
    "Ordernummer: {n}\n-- \nSkickat från min Amazon Fire",
    "Your Temu order is cheaper? Order ID: {n}",
    "Tack för din beställning hos Zalando? Nej. Ordernummer: {n}",
])
def test_a_bare_shop_word_in_the_body_is_not_another_shop(text):
    result = on.extract(text.format(n=ORDER)).to_dict()
    assert (result["order_numbers"], result["not_aliexpress"], result["shop"]) == ([ORDER], False, None)


def test_aliexpress_mention_wins_over_another_shop():
    result = on.extract(f"AliExpress\nCheaper than Amazon!\nOrder ID: {ORDER}").to_dict()
    assert (result["order_numbers"], result["not_aliexpress"], result["shop"]) == ([ORDER], False, None)


# ---------------------------------------------------------------------------
# Tracking numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("serial, check", [
    ("12345678", 5), ("47312482", 9), ("11111111", 5), ("00000008", 0), ("30405060", 1),
])
def test_s10_check_digit(serial, check):
    # Worked by hand: 11111111 sums to 44, remainder 0, so 5; 00000008 sums
    # to 56, remainder 1, so 0.
    assert on.s10_check_digit(serial) == check


def test_gs1_and_ups_check_digits_worked_by_hand():
    # SSCC 00 340434161234567896: the 17 digits before the check, from the right,
    # times 3, 1, 3, …: 27+8+21+6+15+4+9+2+3+6+3+4+9+4+0+4+9 = 134, so 10 - 4 = 6.
    assert on.gs1_check_digit("34043416123456789") == 6
    # USPS 9400 1112 0108 0805 4830 16: the same weights over 21 digits sum to 94, so 6.
    assert on.gs1_check_digit("940011120108080548301") == 6
    # UPS 1Z999AA10123456784: 999AA1012345678 with A = 2; odd places 9+9+2+0+2+4+6+8 = 40,
    # even places (9+2+1+1+3+5+7) x 2 = 56; 96, so 10 - 6 = 4.
    assert on.ups_check_digit("1Z999AA10123456784") == 4
    assert on.tracking_check_digit_valid("1Z999AA10123456785", "UPS") is False
    assert on.tracking_check_digit_valid("LP00112233445566", "LP") is None
    assert not on.is_valid_s10("RB123456785XX")  # XX is no ISO 3166 country


def test_valid_and_invalid_s10_codes():
    result = on.extract("Tracking: RB123456785SE, RB123456784SE, rr473124829cn").to_dict()
    assert result["tracking_numbers"] == ["RB123456785SE"]
    assert {"value": "RB123456784SE", "kind": "invalid_tracking"} == {
        k: result["other_ids"][0][k] for k in ("value", "kind")
    }
    assert on.is_valid_s10("rr473124829cn") and not on.is_valid_s10("RR473124828CN")


@pytest.mark.parametrize("code, fmt, carrier, check", [
    ("RB123456785SE", "S10", "PostNord", True),
    ("RR473124829CN", "S10", "China Post", True),
    ("LP00112233445566", "LP", "Cainiao", None),
    ("AP00112233445566", "AP", "Cainiao", None),
    ("YT2412345678901234", "YT", "YunExpress", None),
    ("4PX3001234567890CN", "4PX", "4PX", None),
    ("00340434161234567896", "DHL", "DHL", True),
    ("1Z999AA10123456784", "UPS", "UPS", True),
    ("CNUSUP00004896283", "CN", "Cainiao", None),
])
def test_tracking_formats(code, fmt, carrier, check):
    result = on.extract(f"Your parcel: {code}Copy").to_dict()
    assert result["tracking"][0] | {"snippet": ""} == {
        "value": code, "format": fmt, "carrier": carrier, "check_digit_valid": check, "snippet": "",
    }
    assert result["order_numbers"] == []


def test_numeric_carrier_code_needs_a_tracking_label():
    assert on.extract("PostNord\nKollinummer: 00370712345678901238").tracking_numbers == [
        "00370712345678901238"
    ]
    assert on.extract("PostNord\n00370712345678901238").tracking_numbers == []


def test_tracking_parameter_in_a_link():
    result = on.extract("https://t.example/x?trackingNumber=lp00112233445566&tradeId=" + ORDER)
    assert result.tracking_numbers == ["LP00112233445566"]
    assert result.order_numbers == [ORDER]


# ---------------------------------------------------------------------------
# Decoding and normalising
# ---------------------------------------------------------------------------


def test_normalize_undoes_copy_artefacts_but_leaves_urls_alone():
    assert on.normalize("a\u200bb\u202ec\ufeff") == "abc"
    assert on.normalize("\uff18\uff11") == "81"
    assert on.normalize("x\r\n> y\r\n>> z") == "x\ny\nz"
    assert on.normalize("a&amp;b &#56; ?x=1&notify=2") == "a&b 8 ?x=1&notify=2"


def test_swedish_client_headers_are_not_taken_for_a_raw_message():
    document = on.decode("Från: AliExpress\nSkickat: i går\nÄmne: Order 8123456789012345: order shipped\n")
    assert "raw_email" not in document.notes


def test_charset_of_a_mime_part_is_honoured():
    raw = ("From: x@example.se\r\nSubject: Hej\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nBeställningsnummer: 8123456789012345\r\n").encode("latin-1")
    assert orders_in(raw) == [ORDER]


def test_meta_charset_of_a_saved_page_is_honoured():
    page = ('<html><head><meta charset="koi8-r"></head><body><p>Номер заказа: 8123456789012345</p>'
            "</body></html>").encode("koi8-r")
    assert orders_in(page) == [ORDER]


def test_base64_part_and_attached_message():
    inner = b"From: AliExpress\r\nSubject: Order 8123456789012345: delivered\r\n\r\nHi\r\n"
    raw = (b"From: a@example.se\r\nSubject: VB\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
           b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           b"T3JkZXIgSUQ6IDgxMjM0NTY3ODkwMTIzNDY=\r\n--b\r\n"
           b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n")
    result = on.extract(raw).to_dict()
    assert result["order_numbers"] == [ORDER, "8123456789012346"]
    assert "attached_message" in result["notes"]


# ---------------------------------------------------------------------------
# Limits and errors
# ---------------------------------------------------------------------------


def test_input_cap_is_five_mebibytes():
    assert on.MAX_INPUT_BYTES == 5 * 1024 * 1024
    assert issubclass(on.InputTooLarge, on.ExtractionError)
    assert issubclass(on.UnreadableInput, on.ExtractionError)
    assert issubclass(on.ExtractionError, ValueError)


def test_huge_input_below_the_cap_is_searched():
    filler = b"AliExpress newsletter text without numbers.\n" * 100
    body = filler * (on.MAX_INPUT_BYTES // len(filler) - 1)
    data = body + f"Order ID: {ORDER}\n".encode()
    assert len(data) <= on.MAX_INPUT_BYTES
    assert orders_in(data) == [ORDER]


@pytest.mark.parametrize("data", [
    b"x" * (5 * 1024 * 1024 + 1),
    "x" * (5 * 1024 * 1024 + 1),
    "ö" * (5 * 1024 * 1024 // 2 + 1),  # fewer characters than the cap, more bytes
])
def test_input_past_the_cap_is_refused(data):
    with pytest.raises(on.InputTooLarge):
        on.extract(data)
    assert json.loads(on.run_json(data)) == {
        "error": {"code": "too_large", "limit_bytes": 5 * 1024 * 1024}
    }


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    b"PK\x03\x04" + b"\x00" * 100,
    bytes(range(32)) * 100,
])
def test_binary_input_is_unreadable(data):
    with pytest.raises(on.UnreadableInput):
        on.extract(data)
    assert json.loads(on.run_json(data)) == {
        "error": {"code": "unreadable", "limit_bytes": 5 * 1024 * 1024}
    }


@pytest.mark.parametrize("data", [
    b"", "", b"\xff\xfe", "\ud800 Order ID: 8123456789012345", b"\xff\xfe\x00\xd8",
    b"Subject: =?utf-8?B?broken?=\r\nFrom: x\r\n\r\nOrder ID: 8123456789012345",
    b'From: x\r\nContent-Type: text/plain; charset="no-such-charset"\r\n\r\nOrder ID: 8123456789012345',
    b'From: x\r\nContent-Type: text/plain; charset="rot13"\r\n\r\n\xe4 Order ID: 8123456789012345',
    b"From: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64",
    b"From: x\r\nSubject: y\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 2000,
    b"<html><script>" + b"<" * 1000,
    b"<![CDATA[" * 100 + b"<!--",
])
def test_odd_input_never_raises(data):
    parsed = json.loads(on.run_json(data))
    assert "error" in parsed or set(parsed) == TOP_LEVEL_KEYS


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], input=stdin, capture_output=True, timeout=60
    )


def test_cli_prints_a_summary_and_exits_0_when_an_order_is_found():
    done = run_cli(str(FIXTURES / "05-en-order-confirmed-raw.eml"))
    assert done.returncode == 0
    assert b"8011223344556677" in done.stdout
    assert done.stderr == b""


def test_cli_json_output():
    done = run_cli("--json", str(FIXTURES / "07-en-base64-html.eml"))
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["order_numbers"] == ["8150607080901020"]
    assert data["tracking_numbers"] == ["RR473124829CN"]
    assert data["product_ids"] == [] and data["not_aliexpress"] is False
    assert done.stdout.decode("utf-8") == on.run_json((FIXTURES / "07-en-base64-html.eml").read_bytes()) + "\n"


def test_cli_exits_1_when_no_order_is_found():
    done = run_cli("--json", str(FIXTURES / "42-sv-amazon.txt"))
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert (data["order_numbers"], data["not_aliexpress"]) == ([], True)


@pytest.mark.parametrize("args", [(), ("-",), ("--json",), ("--json", "-")])
def test_cli_reads_stdin_in_any_encoding(args):
    done = run_cli(*args, stdin="Bestell-Nr.: 8123456789012345 – für Sie\n".encode("cp1252"))
    assert done.returncode == 0
    assert ORDER.encode() in done.stdout


def test_cli_exits_2_for_a_missing_file(tmp_path):
    done = run_cli(str(tmp_path / "nope.eml"))
    assert done.returncode == 2
    assert b"nope.eml" in done.stderr and done.stdout == b""


def test_cli_exits_2_for_too_large_input(tmp_path):
    big = tmp_path / "big.eml"
    big.write_bytes(b"Order ID: 8123456789012345\n" * (5 * 1024 * 1024 // 27 + 1))
    done = run_cli("--json", str(big))
    assert done.returncode == 2
    assert b"5242880" in done.stderr


def test_cli_exits_2_for_unreadable_input():
    done = run_cli(stdin=b"\x89PNG\r\n\x1a\n" + bytes(256))
    assert done.returncode == 2
    assert done.stderr
