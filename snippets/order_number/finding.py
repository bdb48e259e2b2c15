"""Stage 3, find and judge: every candidate, with its evidence and role."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterator

from .base import _MAX_CANDIDATES, _add_note
from .result import CONTEXT, LABEL, LINK, SUBJECT


# ---------------------------------------------------------------------------
# Stage 3: find and judge (every candidate, with its evidence and role)
# ---------------------------------------------------------------------------

# Labels, as lower-case regular-expression fragments. They are matched on
# lower-cased, normalized text, where "№" has become "no". Longer forms come
# first within each list.
_ORDER_LABELS = [
    r"order[ -]?(?:ids?|numbers?|nummer|no\.?|nr\.?|num\.?|code|reference|#)",
    r"ref(?:erence)?\.?[ ]?(?:number|no\.?|nr\.?)",
    r"bestell(?:ungs)?[ -]?(?:nr\.?|nummer|id)", r"auftragsnummer",
    r"n[°o]\.?[ ]?(?:de[ ]?)?commande", r"num[ée]ro de commande", r"commande[ ]?(?:n[°o]\.?|#)",
    r"n[úu]mero del? pedido", r"n[°o]\.?[ ]?(?:de[ ]?)?pedido", r"pedido[ ]?(?:n[°o]\.?|#)",
    r"id del pedido", r"n[úu]mero do pedido", r"n[úu]mero da encomenda",
    r"best[äa]llnings[ -]?(?:nummer|nr\.?|id)",
    r"ordre[ -]?(?:nummer|nr\.?)", r"bestillings[ -]?(?:nummer|nr\.?)",
    r"tilausnumero", r"tilauksen numero", r"tilausnro\.?",
    r"numer zam[óo]wienia", r"nr\.? zam[óo]wienia", r"zam[óo]wienie (?:nr\.?|numer)",
    r"номер заказа", r"заказ ?(?:no\.?|#)", r"no ?заказа",
    r"numero d(?:ell)?['’] ?ordine", r"ordine (?:n\.?|nr\.?|#)", r"n\. ?ordine",
    r"bestel(?:ling)?[ -]?(?:nummer|nr\.?)",
]
# Words that name an order on their own: "Order 8…: order shipped", "Bestellung 8…".
_ORDER_WORDS = [
    r"your order", r"order", r"bestellung", r"pedido", r"commande", r"encomenda", r"ordine",
    r"bestelling", r"beställning(?:en)?", r"bestilling(?:en)?", r"ordre(?:n)?", r"tilaus",
    r"zam[óo]wienie", r"заказ",
]
# Subject lines that list several orders: "2 Bestellungen wurden bestätigt: N & N".
_ORDER_LIST_SUBJECTS = [
    r"bestellungen wurden (?:bestätigt|versandt|verschickt|zugestellt)",
    r"orders (?:have been |were )?(?:confirmed|shipped|delivered)",
]
_TRACKING_LABELS = [
    r"tracking[ -]?(?:number|no\.?|nr\.?|id|code|nummer)?", r"track(?: &| and) trace(?:[ -]?code)?",
    r"waybill(?: number| no\.?)?", r"logistics number", r"shipment number",
    r"sendungs(?:verfolgungs)?nummer", r"sendungs-?nr\.?",
    r"spårnings(?:nummer|-?id|kod)", r"kolli(?:nummer|-?id)", r"sändnings(?:nummer|-?id)",
    r"försändelse(?:nummer|-?id)", r"sporingsnummer", r"forsendelses(?:nummer|-?id)",
    r"seurantanumero", r"seurantakoodi", r"lähetystunnus",
    r"numer (?:przesyłki|śledzenia|nadania)",
    r"трек[ -]?номер", r"номер отслеживания", r"почтовый идентификатор",
    r"n[úu]mero de seguimiento", r"c[óo]digo de seguimiento",
    r"num[ée]ro de suivi", r"n[°o]\.? de suivi",
    r"codice di tracciamento", r"numero di tracciamento", r"c[óo]digo de rastreio",
    r"track-?and-?trace-?code", r"zendingnummer",
]
_PACKAGE_LABELS = [
    r"package(?:[ -]?(?:id|no\.?|number))?", r"parcel(?:[ -]?(?:id|no\.?|number))?",
    r"paquete", r"packstück", r"paket(?:[ -]?(?:id|nummer|nr\.?))?", r"colis", r"paczka",
    r"посылка", r"pacco", r"pakke",
]
_PAYMENT_LABELS = [
    r"payment[ -]?(?:id|number|no\.?|reference)", r"transaction[ -]?(?:id|number|no\.?)",
    r"betalnings[ -]?(?:id|nummer|referens)", r"zahlungs[ -]?(?:id|nummer|referenz)",
    r"transaktions[ -]?(?:id|nummer)", r"id de pago", r"num[ée]ro de paiement",
]
_PRODUCT_LABELS = [
    r"product[ -]?(?:id|number|no\.?)", r"item[ -]?(?:id|number|no\.?)",
    r"artikel[ -]?(?:nummer|nr\.?|id)", r"produkt[ -]?(?:id|nummer|nr\.?)",
]
_SKU_LABELS = [r"sku(?:[ -]?id)?"]
_PHONE_LABELS = [
    r"telefon(?:nummer)?", r"tel[ée]fono", r"t[ée]l[ée]phone", r"tel\.?", r"phone(?: number)?",
    r"mobil(?:e|telefon|nummer)?", r"puh(?:elin)?\.?", r"телефон", r"tlf\.?",
]

_LABEL_GROUPS = {
    "order": _ORDER_LABELS,
    "order_list": _ORDER_LIST_SUBJECTS,
    "tracking": _TRACKING_LABELS,
    "package": _PACKAGE_LABELS,
    "payment": _PAYMENT_LABELS,
    "product": _PRODUCT_LABELS,
    "sku": _SKU_LABELS,
    "phone": _PHONE_LABELS,
    "order_word": _ORDER_WORDS,  # last: "Order ID" must win over "Order"
}
_ORDER_CATEGORIES = frozenset(("order", "order_word", "order_list"))

_NOT_AFTER_LETTER = r"(?<![^\W\d_])"  # a label starts a word
_ANY_LABEL = "|".join(
    f"(?P<{name}>{'|'.join(fragments)})" for name, fragments in _LABEL_GROUPS.items()
)
# What may stand between a label and its number: spaces, a colon or "#", a
# linking word ("is", "är"), and up to two line breaks (a table copied as text).
_GAP = (
    r"[ \t]{0,3}(?:[:#=|.\-–—][ \t]{0,3}){0,2}"
    r"(?:(?:is|är|er|ist|est|es|jest|on)[ \t:]{1,3})?"
    r"(?:\n[ \t]{0,4}){0,2}"
)
# These patterns run on short lower-cased windows (see _lowered_window), so
# they are written in lower case and need no re.IGNORECASE, which is slow.
_LABEL_BEFORE_RE = re.compile(f"{_NOT_AFTER_LETTER}(?:{_ANY_LABEL}){_GAP}\\Z")
_LABEL_NEARBY_RE = re.compile(f"{_NOT_AFTER_LETTER}(?:{_ANY_LABEL})(?![^\\W\\d_])")
_LABEL_WINDOW = 64
_CONTEXT_WINDOW = 120
_GAP_CHARACTERS = frozenset(" \t\n:#=|.-–—")

# URL parameters right before the digits ("orderId=", "orderId%3D" in a
# wrapped link). Any other parameter (tracking, logging, "pvid=") is ignored.
_EQUALS = r"(?:=|%3d|%253d)"  # "=", also percent-encoded in a wrapped link
_PARAMETER_BEFORE_RE = re.compile(
    r"(?:(?<![a-z0-9_])|(?<=%3f)|(?<=%26))(?:"  # after "?", "&" or their encodings
    rf"(?P<order>(?:orderids?|tradeorderids?|tradeid|o_ids|order_?id){_EQUALS})"
    rf"|(?P<product>(?:productids?|product_id|itemid|item_id|x_object_id){_EQUALS})"
    rf"|(?P<sku>(?:sku_?id|skuids?|sku){_EQUALS})"
    rf"|(?P<payment>(?:pmntid|paymentid|payment_id|payid){_EQUALS})"
    r")\Z"
)
_PARAMETER_WINDOW = 48
# URL paths: aliexpress.ru/order-list/<order>, /item/<product>.html, /item/<slug>/<product>.html.
_PATH_BEFORE_RE = re.compile(
    r"(?:(?P<order_path>/order-list/)|(?P<product_path>/item/(?:[^/\s?#&]{1,160}/)?))\Z"
)
_PATH_WINDOW = 200
# Values in trackingNumber= style parameters, lower-case codes included.
_TRACKING_PARAM_RE = re.compile(
    r"(?:trackingNumber|trackingNo|tracking_number|trackNo|mailNo|logisticsNo)"
    r"(?:=|%3D)([A-Za-z0-9]{6,40})"
)
# Separators in a list of orders: "N & N", "N, N", "orderIds=N%2CN".
_LIST_SEPARATOR_RE = re.compile(
    r"[ \t]{0,3}(?:&|,|;|/|\+|and|und|och|og|y|et|e|i|и|%2C|%252C)[ \t]{0,3}", re.I
)
# After the number in a subject: "Order N: order shipped", "Your order N is closed".
_SUBJECT_TAIL_RE = re.compile(
    r"[ \t]{0,2}:|[ \t]{1,2}(?:is|has|was|wurde|ist|ha sido|a été|har|är|er)(?![^\W\d_])", re.I
)
# Buttons whose text sticks to a copied code: "RB123456785SECopy".
_BUTTON_WORDS = (
    "Copy", "Kopiera", "Kopieren", "Copiar", "Copier", "Copia", "Kopiuj", "Kopier", "Копировать",
)

# Where a number may start: a run of six or more digits, or a shorter run
# followed by more digits after a space, hyphen, tab or line break (a number
# grouped in fours or split over two lines). All other short runs (prices,
# dates, postal codes) are skipped inside the regex engine. (The leading
# [0-9] lets the engine jump from digit to digit: three times faster.)
_NUMBER_START_RE = re.compile(r"[0-9](?:[0-9]{5,63}|[0-9]{0,4}(?=[ \t\n-]{1,4}[0-9]))")
# "8123 4567 8901 2345": four groups, the same separator, no fifth group.
_GROUPED_RE = re.compile(
    r"([0-9]{4})([ -])([0-9]{4})\2([0-9]{4})\2([0-9]{2,4})(?![0-9])(?![ -][0-9])"
)
# "81234567" + line break or table cell + "89012345".
_SPLIT_RE = re.compile(r"([0-9]{1,13}) {0,2}[\n\t] {0,2}([0-9]{1,18})(?![0-9])")
# Letter+digit codes: S10, LP…, AP…, YT…, 4PX…CN, UPS 1Z…, Cainiao CNUSUP…,
# plus whatever a button glued on.
_CODE_TOKEN_RE = re.compile(
    r"(?:1Z[0-9A-Z]{16}|CN[A-Z]{4}[0-9]{9,13}|[A-Z4][A-Z0-9]{1,3}[0-9]{6,20})[A-Za-z0-9]{0,16}"
)
_TRACKING_SHAPES = (
    ("S10", re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")),
    ("LP", re.compile(r"LP[0-9]{14}")),
    ("AP", re.compile(r"AP[0-9]{14}")),
    ("YT", re.compile(r"YT[0-9]{16}")),
    ("4PX", re.compile(r"4PX[0-9]{8,16}CN")),
    ("CN", re.compile(r"CNUSUP[0-9]{9,13}")),  # Cainiao's US network
    ("UPS", re.compile(r"1Z[0-9A-Z]{16}")),
    ("DHL", re.compile(r"00340[0-9]{15}")),  # an SSCC (GS1) label from DHL
    ("USPS", re.compile(r"(?:420[0-9]{5}(?:[0-9]{4})?)?9[1-5][0-9]{20}")),
    ("SSCC", re.compile(r"00[0-9]{18}")),  # GS1 shipping label (PostNord, Bring, DHL …)
)
_FORMAT_CARRIERS = {
    "LP": "Cainiao", "AP": "Cainiao", "YT": "YunExpress", "4PX": "4PX", "DHL": "DHL",
    "CN": "Cainiao", "UPS": "UPS", "USPS": "USPS",
}
# Formats that are digits only: taken without a label only when unmistakable.
_NUMERIC_FORMATS = ("DHL", "USPS", "SSCC")
# Postal operator by the country code that ends an S10 code.
_S10_CARRIERS = {
    "CN": "China Post", "SE": "PostNord", "DK": "PostNord", "NO": "Posten Norge", "FI": "Posti",
    "DE": "Deutsche Post", "NL": "PostNL", "GB": "Royal Mail", "US": "USPS", "ES": "Correos",
    "FR": "La Poste", "PL": "Poczta Polska", "RU": "Russian Post", "HK": "Hongkong Post",
    "SG": "Singapore Post", "IT": "Poste Italiane",
}
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# ISO 3166-1 alpha-2: an S10 code ends with the issuing country.
_ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
_CARRIER_NAMES = (
    "PostNord", "Budbee", "Instabox", "DHL", "Bring", "Posten", "Posti", "UPS", "FedEx", "GLS",
    "DPD", "Hermes", "DB Schenker", "Early Bird", "Airmee", "Best Transport", "Cainiao",
    "YunExpress", "4PX", "Yanwen", "China Post", "Correos", "Poczta Polska", "InPost", "USPS",
)
# Case-sensitive ("PostNord", "Postnord", "POSTNORD"): "bring" in a sentence
# is not the carrier Bring.
_CARRIER_SPELLINGS = {
    spelling: name for name in _CARRIER_NAMES for spelling in (name, name.title(), name.upper())
}
_CARRIER_RE = re.compile(
    "(?<![A-Za-z0-9])("
    + "|".join(re.escape(s) for s in sorted(_CARRIER_SPELLINGS, key=len, reverse=True))
    + ")(?![A-Za-z0-9])"
)


def s10_check_digit(serial: str) -> int:
    """Check digit of a UPU S10 code from its 8-digit serial number."""
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS)) % 11
    return {0: 5, 1: 0}.get(remainder, 11 - remainder)


def is_valid_s10(code: str) -> bool:
    """True for two letters, 8 digits, the right check digit and a real
    ISO 3166 country code."""
    code = code.upper()
    if not _TRACKING_SHAPES[0][1].fullmatch(code) or code[-2:] not in _ISO_COUNTRIES:
        return False
    return s10_check_digit(code[2:10]) == int(code[10])


def gs1_check_digit(body: str) -> int:
    """GS1 mod 10 (SSCC, USPS): weights 3 and 1 from the right, 10 minus the sum mod 10."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return -total % 10


def ups_check_digit(code: str) -> int:
    """UPS 1Z: letters count as (code point - 63) mod 10; every second character doubles."""
    total = 0
    for index, character in enumerate(code[2:17]):
        value = int(character) if character.isdigit() else (ord(character) - 63) % 10
        total += value * 2 if index % 2 else value
    return -total % 10


def tracking_check_digit_valid(code: str, code_format: str) -> bool | None:
    """Whether the check digit fits; None for formats that have none."""
    if code_format == "S10":
        return is_valid_s10(code)
    if code_format == "UPS":
        return ups_check_digit(code) == int(code[-1]) if code[-1].isdigit() else False
    if code_format in ("DHL", "SSCC"):
        return gs1_check_digit(code[2:-1]) == int(code[-1])
    if code_format == "USPS":
        return gs1_check_digit(code[-22:-1]) == int(code[-1])
    return None


def is_product_id_shaped(digits: str) -> bool:
    """AliExpress product IDs: 11 digits from 32, 13 from 4000/4001, 16 from 1005/3256."""
    if len(digits) == 16:
        return digits.startswith(("1005", "3256"))
    if len(digits) == 13:
        return digits.startswith(("4000", "4001"))
    return len(digits) == 11 and digits.startswith("32")


@dataclass
class Finding:
    """One number seen in the text, with what it seems to be and why."""

    role: str  # "order", "product", "tracking", "payment", "package", "sku", "invalid_tracking"
    value: str
    where: tuple[int, int]  # (segment, offset), to keep first-appearance order
    snippet: str = ""
    kind: str = ""  # evidence kind, for orders
    label: str = ""
    carrier: str | None = None
    format: str = ""
    check_digit_valid: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class _Number:
    """Digits read from the text; grouped or split numbers span several runs."""

    start: int
    end: int
    digits: str
    note: str | None = None


@dataclass(frozen=True)
class _Label:
    """A label in the text, or a parameter or path in a link."""

    source: str  # "label" or "link"
    category: str  # a key of _LABEL_GROUPS, or a group name of the link patterns
    text: str  # as found
    start: int


def make_snippet(text: str, start: int, end: int, width: int = 80) -> str:
    """Whitespace-collapsed context around text[start:end], at most `width`
    characters. Angle brackets are dropped so no markup ever travels on."""
    room = max(0, width - (end - start))
    left = max(0, start - room // 2)
    right = min(len(text), end + room - (start - left))
    # Start and end on whole words, so the reader sees "Order ID: …", not "der ID: …".
    if left > 0 and text[left - 1].isalnum():
        space = _first_space(text, left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text) and text[right].isalnum():
        space = max(text.rfind(c, end, right) for c in " \t\n")
        right = space if space >= 0 else right
    snippet = text[left:right].replace("<", " ").replace(">", " ")
    return _collapse(snippet)[:width]


def _first_space(text: str, start: int, end: int) -> int:
    found = [i for i in (text.find(c, start, end) for c in " \t\n") if i >= 0]
    return min(found) if found else -1


def _collapse(text: str) -> str:
    return " ".join(text.split())


class DocumentFacts:
    """What is known about the whole document while single numbers are judged."""

    def __init__(self, segments: list[str], senders: list[str], subject_count: int = 0,
                 notes: list[str] | None = None) -> None:
        self.subject_count = subject_count  # segments[:subject_count] are Subject headers
        self.notes = [] if notes is None else notes  # the budget notes what it leaves unread
        self.candidates_left = _MAX_CANDIDATES
        self._all_text = "\n".join(senders + segments)
        self.lowered = self._all_text.lower()
        self.aliexpress = mentions_aliexpress(self.lowered)
        self._first_carrier: str | None | bool = False  # False: not looked up yet

    def spend_candidate(self) -> bool:
        """One more number or code to judge; False once the budget is spent.
        Stopping early keeps every input within its time budget; the first
        thousands of candidates hold any real order mail's evidence."""
        if self.candidates_left <= 0:
            _add_note(self.notes, "stopped_early")
            return False
        self.candidates_left -= 1
        return True

    @property
    def first_carrier(self) -> str | None:
        """The first carrier the document names: in a carrier's own text
        (PostNord, Budbee, Instabox) that is the sender."""
        if self._first_carrier is False:
            match = _CARRIER_RE.search(self._all_text)
            self._first_carrier = _CARRIER_SPELLINGS[match.group(1)] if match else None
        return self._first_carrier


def find_candidates(segments: list[str], facts: DocumentFacts) -> list[Finding]:
    """Stage 3: every number and code in every segment, with its evidence."""
    findings: list[Finding] = []
    for index, text in enumerate(segments):
        code_spans: list[tuple[int, int]] = []
        findings.extend(_codes_in(text, index, code_spans, facts))
        findings.extend(_tracking_params_in(text, index, facts))
        findings.extend(_numbers_in(text, index, code_spans, facts))
    return findings


def _codes_in(text: str, segment: int, spans: list[tuple[int, int]],
              facts: DocumentFacts) -> Iterator[Finding]:
    """Tracking codes with letters (S10, LP, AP, YT, 4PX), by shape."""
    for match in _CODE_TOKEN_RE.finditer(text):
        start, end = match.span()
        if start and text[start - 1].isalnum():
            continue  # part of a longer word
        if end < len(text) and text[end].isalnum():
            continue  # longer than any code we know
        if not facts.spend_candidate():
            return
        code = _without_button_word(match.group())
        end = start + len(code)
        code_format = _tracking_format(code)
        if code_format is None:
            label = _label_before(text, start)
            if label is None or label.category != "tracking":
                continue
            code_format = "other"
        spans.append((start, end))
        yield _tracking_finding(text, code, code_format, segment, start, end, facts)


def _without_button_word(code: str) -> str:
    for word in _BUTTON_WORDS:
        if code.endswith(word) and len(code) > len(word):
            return code[: -len(word)]
    return code


def _tracking_format(code: str) -> str | None:
    for name, shape in _TRACKING_SHAPES:
        if shape.fullmatch(code):
            return name
    return None


def _tracking_finding(text: str, code: str, code_format: str, segment: int,
                      start: int, end: int, facts: DocumentFacts) -> Finding:
    check = tracking_check_digit_valid(code, code_format)
    carrier = _FORMAT_CARRIERS.get(code_format)
    if code_format == "S10":
        # The country code names the postal operator that issued the code.
        carrier = _S10_CARRIERS.get(code[-2:])
    if carrier is None:
        carrier = _carrier_on_line(text, start) or facts.first_carrier
    role = "tracking" if check is not False else "invalid_tracking"
    return Finding(role, code, (segment, start), make_snippet(text, start, end),
                   carrier=carrier, format=code_format, check_digit_valid=check)


def _carrier_on_line(text: str, position: int) -> str | None:
    """A carrier named earlier on the code's own line: "USPS tracking number: …"."""
    window_start = max(0, position - 200)  # bounded: never scan back to the start
    line_start = text.rfind("\n", window_start, position) + 1 or window_start
    last = None
    for match in _CARRIER_RE.finditer(text, line_start, position):
        last = match.group(1)
    return _CARRIER_SPELLINGS[last] if last else None


def _tracking_params_in(text: str, segment: int, facts: DocumentFacts) -> Iterator[Finding]:
    if "rack" not in text and "No=" not in text and "No%3D" not in text:
        return
    for match in _TRACKING_PARAM_RE.finditer(text):
        if not facts.spend_candidate():
            return
        code = match.group(1).upper()
        start, end = match.span(1)
        code_format = _tracking_format(code) or ("numeric" if code.isdigit() else "other")
        yield _tracking_finding(text, code, code_format, segment, start, end, facts)


@dataclass
class _ListState:
    """The last order found in a segment, so that 'N & N' lists carry on."""

    order: Finding | None = None
    end: int = -1


def _numbers_in(text: str, segment: int, code_spans: list[tuple[int, int]],
                facts: DocumentFacts) -> Iterator[Finding]:
    """Every number in the text, judged by what precedes it."""
    previous = _ListState()
    read_up_to = 0
    for match in _NUMBER_START_RE.finditer(text):
        start = match.start()
        if start < read_up_to or _inside_spans(code_spans, start):
            continue  # part of a number read already, or of a tracking code
        if start and "0" <= text[start - 1] <= "9":
            continue  # the tail of a run longer than any number: digit soup
        if not facts.spend_candidate():
            return
        number, label = _read_number(text, start, match.end())
        read_up_to = number.end
        code_end = _end_of_longer_code(text, number.end)
        if code_end is not None:
            # "09980000020033D": the digits begin a longer code; never report a prefix.
            read_up_to = code_end
            if label is not None and label.category == "tracking" and code_end - start <= 40:
                code = text[start:code_end].upper()
                yield _tracking_finding(text, code, "other", segment, start, code_end, facts)
            continue
        if not 6 <= len(number.digits) <= 30:
            continue  # too short to be anything we report; or digit soup
        finding = _judge_number(text, segment, number, label, previous, facts)
        if finding is None:
            continue
        if finding.role == "order":
            previous.order, previous.end = finding, number.end
        if finding.role != "ignore":
            yield finding


# Capitals and digits right after a number, not the start of a word ("Copy", "Order").
_CODE_TAIL_RE = re.compile(r"[A-Z0-9]{1,40}(?![A-Za-z0-9])")


def _end_of_longer_code(text: str, end: int) -> int | None:
    """Where the code ends when capitals stick to the digits ("…0033D")."""
    if end >= len(text) or not "A" <= text[end] <= "Z":
        return None
    match = _CODE_TAIL_RE.match(text, end)
    return match.end() if match else None


def _inside_spans(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether position falls in one of the sorted, non-overlapping spans."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _read_number(text: str, start: int, end: int) -> tuple[_Number, _Label | None]:
    """The number at text[start:end] and the label or link right before it.
    Digits grouped in fours or split over two lines are joined, but only
    right after an order label."""
    single = _Number(start, end, text[start:end])
    if end - start >= 6:
        link = _link_before(text, start)
        if link is not None:
            return single, link
    label = _label_before(text, start)
    if label is not None and label.category in _ORDER_CATEGORIES:
        joined = _grouped_in_fours(text, start) or _split_over_lines(text, start)
        if joined is not None:
            return joined, label
    if label is not None and label.category == "tracking":
        match = _TRACKING_GROUPS_RE.match(text, start)
        if match is not None:
            digits = re.sub(r"[ -]", "", match.group())
            return _Number(start, match.end(), digits, "grouped_digits"), label
    return single, label


# "9400 1112 0108 0805 4830 16": groups of four, the same separator, after a tracking label.
_TRACKING_GROUPS_RE = re.compile(r"[0-9]{4}([ -])(?:[0-9]{4}\1){1,6}[0-9]{1,4}(?![0-9])")


def _grouped_in_fours(text: str, start: int) -> _Number | None:
    """'8123 4567 8901 2345' (last group 2-4 digits) -> one number."""
    match = _GROUPED_RE.match(text, start)
    if match is None:
        return None
    return _Number(start, match.end(), "".join(match.group(1, 3, 4, 5)), "grouped_digits")


def _split_over_lines(text: str, start: int) -> _Number | None:
    """'81234567' + line break or table cell + '89012345' -> one number."""
    match = _SPLIT_RE.match(text, start)
    if match is None or not 14 <= len(match.group(1)) + len(match.group(2)) <= 18:
        return None
    return _Number(start, match.end(), match.group(1) + match.group(2), "split_number_joined")


def _lowered_window(text: str, start: int, size: int) -> tuple[str, int]:
    """text[start - size:start] in lower case, plus one character of left
    context for look-behinds. Returns the window and its offset in text.
    Positions stay valid: the few letters that grow when lower-cased ("İ")
    are left as they are."""
    offset = max(0, start - size - 1)
    window = text[offset:start]
    lowered = window.lower()
    if len(lowered) != len(window):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in window)
    return lowered, offset


def _search_before(pattern: re.Pattern[str], text: str, start: int, size: int,
                   source: str) -> _Label | None:
    """The match of `pattern` (anchored with \\Z) that ends right at `start`."""
    window, offset = _lowered_window(text, start, size)
    match = pattern.search(window, 1 if offset else 0)
    if match is None:
        return None
    category = match.lastgroup or ""
    label_start, label_end = match.span(category)
    label_text = text[offset + label_start:offset + label_end]
    return _Label(source, category, label_text, offset + label_start)


def _label_before(text: str, start: int) -> _Label | None:
    """The label that directly precedes position `start`, if any."""
    if not _may_follow_label(text, start):
        return None
    return _search_before(_LABEL_BEFORE_RE, text, start, _LABEL_WINDOW, "label")


def _may_follow_label(text: str, start: int) -> bool:
    """Cheap pre-check: skip the gap backwards; a label ends in a letter."""
    position = start
    while position > 0 and start - position < 16 and text[position - 1] in _GAP_CHARACTERS:
        position -= 1
    return position > 0 and (text[position - 1].isalpha() or text[position - 1] in "#.°")


def _link_before(text: str, start: int) -> _Label | None:
    """A URL parameter or path right before the digits: 'orderId=', '/item/'."""
    before = text[max(0, start - 5):start].lower()
    if before.endswith(("=", "%3d")):
        found = _search_before(_PARAMETER_BEFORE_RE, text, start, _PARAMETER_WINDOW, "link")
        # Tracking, logging and other parameters: not an order, whatever the digits.
        return found or _Label("link", "other", "", start)
    if before.endswith("/"):
        # Paths are lower case: search the text itself, no lower-cased copy.
        match = _PATH_BEFORE_RE.search(text, max(0, start - _PATH_WINDOW), start)
        if match is not None:
            category = match.lastgroup or ""
            return _Label("link", category, match.group(category), match.start(category))
    return None


def _judge_number(text: str, segment: int, number: _Number, label: _Label | None,
                  previous: _ListState, facts: DocumentFacts) -> Finding | None:
    """What the evidence around one number says it is, strongest first."""
    if label is not None and label.source == "link":
        return _finding_from_link(text, segment, number, label)
    if _tracking_format(number.digits) == "DHL":  # unmistakable, whatever the label says
        return _tracking_finding(text, number.digits, "DHL", segment,
                                 number.start, number.end, facts)
    if label is not None and label.category == "tracking":
        return _tracking_from_label(text, segment, number, facts)
    if label is not None:
        return _finding_from_label(text, segment, number, label, facts)
    if previous.order is not None:
        listed = _continues_order_list(text, segment, number, previous)
        if listed is not None:
            return listed
    if facts.aliexpress:
        return _finding_from_context(text, segment, number)
    return None


def _finding_from_link(text: str, segment: int, number: _Number, link: _Label) -> Finding | None:
    digits, where = number.digits, (segment, number.start)
    snippet = make_snippet(text, number.start, number.end)
    if link.category in ("order", "order_path"):
        # orderId= names an order whatever its first digits (evidence before shape).
        if _order_shaped(digits):
            return Finding("order", digits, where, snippet, LINK, link.text)
        return Finding("ignore", digits, where)
    if link.category in ("product", "product_path"):
        return Finding("product", digits, where, snippet)
    if link.category in ("sku", "payment"):
        return Finding(link.category, digits, where, snippet)
    return Finding("ignore", digits, where)  # tracking, log and other parameters


def _tracking_from_label(text: str, segment: int, number: _Number,
                         facts: DocumentFacts) -> Finding | None:
    """Digits after a tracking label: a known numeric format is checked by its
    check digit; any other run of 8-30 digits is taken as it stands."""
    digits = number.digits
    if not 8 <= len(digits) <= 30:
        return Finding("ignore", digits, (segment, number.start))
    code_format = _tracking_format(digits)
    if code_format not in _NUMERIC_FORMATS:
        code_format = "numeric"
    return _tracking_finding(text, digits, code_format, segment, number.start, number.end, facts)


def _order_shaped(digits: str) -> bool:
    """14 to 16 digits, not starting with 0."""
    return 14 <= len(digits) <= 16 and digits[0] != "0"


def _short_order_shaped(digits: str) -> bool:
    """11 to 13 digits, not starting with 0, and not shaped like a product ID (13 from 4000/4001, 11
    from 32): too short for an order number by one to three digits."""
    return 11 <= len(digits) <= 13 and digits[0] != "0" and not is_product_id_shaped(digits)


def _finding_from_label(text: str, segment: int, number: _Number, label: _Label,
                        facts: DocumentFacts) -> Finding | None:
    digits, where = number.digits, (segment, number.start)
    snippet = make_snippet(text, label.start, number.end)
    category = label.category
    if category in _ORDER_CATEGORIES:
        in_subject = segment < facts.subject_count or _on_subject_line(text, label.start)
        return _order_from_label(text, segment, number, label, snippet, in_subject)
    if category == "product":
        return Finding("product", digits, where, snippet)
    if category in ("package", "payment", "sku"):
        return Finding(category, digits, where, snippet)
    return Finding("ignore", digits, where)  # phone numbers, short tracking numbers


def _order_from_label(text: str, segment: int, number: _Number, label: _Label,
                      snippet: str, in_subject: bool) -> Finding | None:
    digits, note, where = number.digits, number.note, (segment, number.start)
    if len(digits) in (17, 18) and digits[0] != "0":
        # AliExpress package numbers have 17-18 digits ("Tu pedido 3151…0012 de
        # Ecommerce"). Never cut one down to an order number; classify() checks
        # whether it is a list index glued to an order found elsewhere.
        return Finding("long_after_order_label", digits, where, snippet)
    if not _order_shaped(digits):
        if _short_order_shaped(digits):
            # One to three digits short of an order number: most likely copied with digits missing.
            # Set aside with a reason, so the reader is not told the mail holds no number at all.
            return Finding("short_after_order_label", digits, where, snippet)
        return None
    tail = _SUBJECT_TAIL_RE.match(text, number.end)
    explicit = label.category != "order_word" or (tail is not None and in_subject)
    if not explicit and is_product_id_shaped(digits):
        return None  # "Order 1005…" in running text: a product's ID, most likely
    if label.category == "order_list" or (label.category == "order_word" and tail):
        # "Your order N has shipped" reads like a subject; only a subject line is called one.
        if in_subject:
            subject = _subject_label(text, label, number, tail.end() if tail else number.end)
            return Finding("order", digits, where, snippet, SUBJECT, subject, note=note)
    return Finding("order", digits, where, snippet, LABEL, _collapse(label.text), note=note)


# A subject line in pasted text: "Ämne: SV: Order N: order shipped", or a
# subject pasted on its own as the first line: "VB: Order N: order shipped".
_REPLY_PREFIXES = r"(?:(?:re|sv|vs|vl|vb|fw|fwd|aw|wg|tr|odp|rv)[ \t]{0,2}:[ \t]{0,3}){0,4}"
_SUBJECT_HEADER_RE = re.compile(
    r"(?:subject|ämne|betreff|objet|asunto|assunto|emne|aihe|temat|тема|oggetto|onderwerp)"
    r"[ \t]{0,3}:[ \t]{0,3}" + _REPLY_PREFIXES
)
_FIRST_LINE_RE = re.compile(_REPLY_PREFIXES)


def _on_subject_line(text: str, label_start: int) -> bool:
    """Whether the label follows a "Subject:" header on its line, or opens the text."""
    line_start = text.rfind("\n", max(0, label_start - 80), label_start) + 1
    if line_start == 0 and label_start > 80:
        return False  # a long line: not a header line
    before = text[line_start:label_start].lower().lstrip(" \t")
    if _SUBJECT_HEADER_RE.fullmatch(before):
        return True
    return line_start == 0 and _FIRST_LINE_RE.fullmatch(before) is not None


def _subject_label(text: str, label: _Label, number: _Number, tail_end: int) -> str:
    """'Order … : order shipped': the subject with the number left out."""
    rest_end = min(len(text), tail_end + 40)
    line_end = text.find("\n", number.end, rest_end)
    rest = _collapse(text[number.end:rest_end if line_end < 0 else line_end])
    if label.category == "order_list":
        return _collapse(f"{label.text} …")
    return _collapse(f"{label.text} … {rest}")


def _continues_order_list(text: str, segment: int, number: _Number,
                          previous: _ListState) -> Finding | None:
    """'N & N', 'N, N' or 'orderIds=N%2CN': the next item inherits the evidence."""
    order = previous.order
    if order is None or order.kind == CONTEXT:
        return None
    if not _LIST_SEPARATOR_RE.fullmatch(text, previous.end, number.start):
        return None
    if not _order_shaped(number.digits):
        return None
    snippet = make_snippet(text, number.start, number.end)
    where = (segment, number.start)
    return Finding("order", number.digits, where, snippet, order.kind, order.label)


def _finding_from_context(text: str, segment: int, number: _Number) -> Finding | None:
    """A bare number in an AliExpress mail, after an order word nearby
    (e.g. a table header "Order ID | Date" above a row of values)."""
    digits = number.digits
    if not _order_shaped(digits) or digits[0] not in "358" or is_product_id_shaped(digits):
        return None
    if _inside_link_or_word(text, number.start):
        return None
    window, offset = _lowered_window(text, number.start, _CONTEXT_WINDOW)
    last = None
    for match in _LABEL_NEARBY_RE.finditer(window, 1 if offset else 0):
        last = match
    if last is None or last.lastgroup not in _ORDER_CATEGORIES:
        return None
    label = text[offset + last.start():offset + last.end()]
    snippet = make_snippet(text, number.start, number.end)
    return Finding("order", digits, (segment, number.start), snippet, CONTEXT, _collapse(label))


def _inside_link_or_word(text: str, start: int) -> bool:
    """Digits glued to a word or inside a URL-like token ("…/kf/S8123….jpg", "x=8123…")."""
    if start and text[start - 1].isalpha():
        return True
    window_start = max(0, start - 300)  # bounded: never scan back to the start
    token_start = max(text.rfind(c, window_start, start) for c in " \n\t") + 1
    token = text[max(token_start, window_start):start]
    return any(mark in token for mark in ("://", "=", "/", "?", "&", "%", "@"))


_ALIEXPRESS_MARKS = ("aliexpress", "ali express", "алиэкспресс", "али экспресс", "速卖通")


def mentions_aliexpress(lowered: str) -> bool:
    return any(mark in lowered for mark in _ALIEXPRESS_MARKS)
