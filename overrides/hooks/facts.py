"""Facts from snippets/facts.yml, inserted into pages by key, with their sources listed on the page.

* A page writes `<!-- fact eu.duty.per_item -->` (or `<!-- fact eu.duty.start bare -->`). Before
  Markdown runs, the comment becomes the value formatted for the page's language: `3 euro (cirka
  33 kr)` on a Swedish page, `€3 (about SEK 33)` on an English one. Euro amounts get kronor from the
  `fx.eur_sek` fact (Norwegian and Danish pages from `fx.eur_nok` and `fx.eur_dkk`; Finnish readers
  pay in euro). The shortcode works anywhere inline text does (bold, lists, tables, admonitions).
* Every distinct source of the facts a page used is added to the list in the page's sources section,
  `## Källor { #sources }`, with the month it was checked. A source already listed by hand (same URL)
  is not listed twice. So the list cannot drift from the facts.
* The facts file is checked when the build starts: five fields per fact, a known unit and country, a
  value of the unit's type, a real date, an https source. Anything else stops the build with a message
  that names the fact, as does an unknown key or flag in a page (naming the page), a page with facts
  but no sources section, or a built language with no row in FORMATS.

Why a hook and not mkdocs-macros: this one file does one job in Material's shortcode style
(`<!-- … -->` comments that render as nothing if the hook is missing, loud errors), checks the data and
generates the sources; macros would run Jinja over every page and add a dependency.

Languages: formats live in one table, FORMATS, keyed by locale; Norwegian, Danish and Finnish are
added by adding rows. The page's language and the built languages come from the site's one i18n
module (`overrides/hooks/i18n.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import i18n  # the sibling hook overrides/hooks/i18n.py (MkDocs puts the hooks' folder on sys.path)
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

FACTS_FILE = "snippets/facts.yml"  # relative to the folder that holds mkdocs.yml
FIELDS = ("value", "unit", "country", "source", "checked")
OPTIONAL_FIELDS = ("note",)  # for the person who checks the fact next; never shown
SOURCE_FIELDS = ("title", "url")
OPTIONAL_SOURCE_FIELDS = ("lang",)  # the source page's language, so other languages can say so
SCOPES = ("se", "eu", "aliexpress", "fx", "no", "dk", "fi")
COUNTRIES = ("SE", "EU", "NO", "DK", "FI", "global")
CURRENCIES = ("SEK", "NOK", "DKK")  # kronor; euro amounts are EUR
RATE_UNITS = {f"{currency}_per_EUR": currency for currency in CURRENCIES}
NUMBER_UNITS = ("EUR", *CURRENCIES, "percent", *RATE_UNITS)
COUNT_UNITS = ("days", "months", "years")
STRING_UNITS = ("label", "text", "digits")
UNITS = NUMBER_UNITS + COUNT_UNITS + ("date", "month") + STRING_UNITS
FLAGS = ("bare",)
# The exchange rate that puts a language's own kronor beside euro amounts: fx.eur_sek, fx.eur_nok, ...
FX_KEYS = {currency: f"fx.eur_{currency.lower()}" for currency in CURRENCIES}
MAX_AGE_DAYS = 180  # tests/test_facts.py fails on older facts

# <scope>.<topic>.<name>; exchange rates are fx.<pair> (fx.eur_sek), a topic of their own.
KEY = re.compile(r"fx\.[a-z0-9_]+|(?:%s)(?:\.[a-z0-9_]+){2,}" % "|".join(s for s in SCOPES if s != "fx"))
MONTH_VALUE = re.compile(r"(\d{4})-(\d{2})")
# The shortcode, and anything that looks like a mistyped one (`<!-- facts …`, `<!--fact…`), so a typo
# stops the build instead of vanishing as an HTML comment.
SHORTCODE = re.compile(r"<!--\s*(fact\w*)(.*?)-->", re.DOTALL | re.IGNORECASE)
# Markdown would read these in a label and change it; facts hold plain text.
MARKDOWN_SPECIALS = re.compile(r"[<>*_`|\[\]]")
SOURCES_HEADING = re.compile(r"^##[ \t]+.*\{[^}]*#sources\b[^}]*\}[ \t]*$", re.MULTILINE)
NBSP = "\u00a0"  # between a number and its unit, and as the thousands separator: no line break inside


@dataclass(frozen=True)
class Formats:
    """How one language writes numbers, money, dates and durations."""

    months: tuple[str, ...]
    thousands: str
    decimal: str
    local_currency: str | None  # the reader's kronor beside euro amounts; None: the reader pays in euro
    eur: str  # {eur}: the euro amount formatted by eur_bare; {local}: local_currency, rounded
    eur_bare: str
    money: dict[str, str]  # currency unit -> template: the reader's own kronor "kr", others by ISO code
    percent: str
    rate: str  # an exchange rate: {money} is the kronor per euro, formatted by `money`
    date: str  # {day}, {month} (name), {month_number}, {year}
    date_bare: str
    month: str
    durations: dict[str, tuple[str, str]]  # unit -> (singular, plural)
    checked: str  # the check mark after a generated source
    source_lang: dict[str, str]  # a source in another language, e.g. "(på engelska)"


def _kronor(own: str, word: str = "kr") -> dict[str, str]:
    """Money templates for a language whose own currency is `own`: "1 600 kr" for it, "1 600 NOK" for
    the other kronor, so a Norwegian page can never show Swedish kronor as "kr"."""
    return {unit: ("{n}" + NBSP + (word if unit == own else unit)) for unit in CURRENCIES}


NORDIC_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember")
DANISH_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december")
# Norwegian and Danish name other languages alike: "(på engelsk)".
NORWEGIAN_DANISH_SOURCE_LANG = {"sv": "på svensk", "en": "på engelsk", "fi": "på finsk", "nb": "på norsk", "da": "på dansk", "nl": "på nederlandsk"}
FINNISH_MONTHS = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")

FORMATS: dict[str, Formats] = {
    "sv": Formats(
        months=("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
        thousands=NBSP,
        decimal=",",
        local_currency="SEK",
        eur="{eur} (cirka {local})",
        eur_bare="{n}" + NBSP + "euro",
        money=_kronor("SEK"),
        percent="{n}" + NBSP + "%",
        rate="{money} per euro",
        date="den {day} {month} {year}",
        date_bare="{day} {month} {year}",
        month="{month} {year}",
        durations={"days": ("dag", "dagar"), "months": ("månad", "månader"), "years": ("år", "år")},
        checked="kontrollerad {month} {year}",
        source_lang={"en": "på engelska", "sv": "på svenska", "fi": "på finska", "nb": "på norska", "da": "på danska", "nl": "på nederländska"},
    ),
    # English pages follow Swedish rules (they say so), so their kronor are Swedish.
    "en": Formats(
        months=("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
        thousands=",",
        decimal=".",
        local_currency="SEK",
        eur="{eur} (about {local})",
        eur_bare="€{n}",
        money={unit: unit + NBSP + "{n}" for unit in ("SEK", "NOK", "DKK")},
        percent="{n}%",
        rate="{money} per euro",
        date="{day} {month} {year}",
        date_bare="{day} {month} {year}",
        month="{month} {year}",
        durations={"days": ("day", "days"), "months": ("month", "months"), "years": ("year", "years")},
        checked="checked {month} {year}",
        source_lang={"sv": "in Swedish", "en": "in English", "fi": "in Finnish", "nb": "in Norwegian", "da": "in Danish", "nl": "in Dutch"},
    ),
    # Språkrådet: "1. juli 2026", a space before "%", a space (not a dot) between thousands.
    "nb": Formats(
        months=NORDIC_MONTHS,
        thousands=NBSP,
        decimal=",",
        local_currency="NOK",
        eur="{eur} (omtrent {local})",
        eur_bare="{n}" + NBSP + "euro",
        money=_kronor("NOK"),
        percent="{n}" + NBSP + "%",
        rate="{money} per euro",
        date="{day}. {month} {year}",
        date_bare="{day}. {month} {year}",
        month="{month} {year}",
        durations={"days": ("dag", "dager"), "months": ("måned", "måneder"), "years": ("år", "år")},
        checked="kontrollert {month} {year}",
        source_lang=NORWEGIAN_DANISH_SOURCE_LANG,
    ),
    # Dansk Sprognævn: a dot between thousands ("1.500 kr."), a decimal comma, "1. juli 2026".
    "da": Formats(
        months=DANISH_MONTHS,
        thousands=".",
        decimal=",",
        local_currency="DKK",
        eur="{eur} (ca. {local})",
        eur_bare="{n}" + NBSP + "euro",
        money=_kronor("DKK"),
        percent="{n}" + NBSP + "%",
        rate="{money} pr. euro",
        date="{day}. {month} {year}",
        date_bare="{day}. {month} {year}",
        month="{month} {year}",
        durations={"days": ("dag", "dage"), "months": ("måned", "måneder"), "years": ("år", "år")},
        checked="kontrolleret {month} {year}",
        source_lang=NORWEGIAN_DANISH_SOURCE_LANG,
    ),
    # Kielitoimisto: "3 €" and "25,5 %" with a space, dates as 1.7.2026. Finns pay in euro, so no
    # conversion. Finnish inflects the unit by case; "14 päivää" is the form after a bare number,
    # and a page that needs another case uses `bare` and writes the word itself.
    "fi": Formats(
        months=FINNISH_MONTHS,
        thousands=NBSP,
        decimal=",",
        local_currency=None,
        eur="{eur}",
        eur_bare="{n}" + NBSP + "€",
        money={unit: "{n}" + NBSP + unit for unit in ("SEK", "NOK", "DKK")},
        percent="{n}" + NBSP + "%",
        rate="1" + NBSP + "€ = {money}",
        date="{day}.{month_number}.{year}",
        date_bare="{day}.{month_number}.{year}",
        month="{month} {year}",
        durations={"days": ("päivä", "päivää"), "months": ("kuukausi", "kuukautta"), "years": ("vuosi", "vuotta")},
        checked="tarkistettu {month}ssa {year}",  # every month name ends in -kuu: marraskuussa
        source_lang={"sv": "ruotsiksi", "en": "englanniksi", "fi": "suomeksi", "nb": "norjaksi", "da": "tanskaksi", "nl": "hollanniksi"},
    ),
}


def formats_for(locale: str) -> Formats:
    try:
        return FORMATS[locale]
    except KeyError:
        raise PluginError(
            f"facts: no formats for locale '{locale}': add a row for it to FORMATS in overrides/hooks/facts.py"
        ) from None


# ---------------------------------------------------------------- the facts file


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key written twice (PyYAML would silently keep the last one), and
    reads booleans as YAML 1.2 does: only true and false. YAML 1.1 also reads yes/no/on/off, so
    Norway's country code `NO` would silently become `False` (the "Norway problem")."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise PluginError(f"facts: {key} is defined twice in {FACTS_FILE} (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_facts(path: Path) -> dict[str, dict[str, Any]]:
    """Read and check the facts file; raise PluginError listing every problem."""
    if not path.is_file():
        raise PluginError(f"facts: {path} is missing")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader)
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a date like 2026-13-01
        raise PluginError(f"facts: {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not data:
        raise PluginError(f"facts: {path} must be a mapping from key to fact")
    problems = [problem for key, fact in data.items() for problem in fact_problems(key, fact)]
    for currency, fx_key in FX_KEYS.items():
        if fx_key in data and isinstance(data[fx_key], dict) and data[fx_key].get("unit") != f"{currency}_per_EUR":
            problems.append(f"{fx_key}: unit must be {currency}_per_EUR")
    if problems:
        raise PluginError(f"facts: {len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    return data


def fact_problems(key: Any, fact: Any) -> list[str]:
    """What is wrong with one fact, as messages that start with its key; empty if nothing is."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return [f"{key!r}: a key is <scope>.<topic>.<name> (or fx.<pair>) in lower case, scope one of {', '.join(SCOPES)}"]
    if not isinstance(fact, dict):
        return [f"{key}: must be a mapping with {', '.join(FIELDS)}"]
    problems = [f"{key}: missing field '{name}'" for name in FIELDS if name not in fact]
    problems += [f"{key}: unknown field '{name}'" for name in fact if name not in FIELDS + OPTIONAL_FIELDS]
    unit = fact.get("unit")
    if "unit" in fact and unit not in UNITS:
        problems.append(f"{key}: unknown unit {unit!r} (one of {', '.join(UNITS)})")
    elif "value" in fact:
        problems += [f"{key}: {message}" for message in _value_problems(unit, fact["value"])]
    if "country" in fact and fact["country"] not in COUNTRIES:
        problems.append(f"{key}: unknown country {fact['country']!r} (one of {', '.join(COUNTRIES)})")
    if "source" in fact:
        problems += [f"{key}: {message}" for message in _source_problems(fact["source"])]
    if "checked" in fact:
        checked = fact["checked"]
        if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
            problems.append(f"{key}: checked must be a date, YYYY-MM-DD (got {checked!r})")
        elif checked > dt.date.today():
            problems.append(f"{key}: checked {checked} is in the future")
    return problems


def _value_problems(unit: str, value: Any) -> list[str]:
    if unit in NUMBER_UNITS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return [f"value must be a number of {unit} (got {value!r})"]
    elif unit in COUNT_UNITS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return [f"value must be a whole number of {unit} (got {value!r})"]
    elif unit == "date":
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            return [f"value must be a date, YYYY-MM-DD (got {value!r})"]
    elif unit == "month":
        match = MONTH_VALUE.fullmatch(value) if isinstance(value, str) else None
        if match is None or not 1 <= int(match[2]) <= 12:
            return [f"value must be a month, \"YYYY-MM\" in quotes (got {value!r})"]
    elif unit == "digits":
        if not re.fullmatch(r"\d+", str(value)) or isinstance(value, bool):
            return [f"value must be digits (got {value!r})"]
    elif not isinstance(value, str) or not value.strip():
        return [f"value must be a non-empty string (got {value!r})"]
    elif MARKDOWN_SPECIALS.search(value):
        return [f"value {value!r} contains a character Markdown would change ({MARKDOWN_SPECIALS.pattern})"]
    return []


def _source_problems(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return ["source must be a mapping with title and url"]
    problems = [f"source is missing '{name}'" for name in SOURCE_FIELDS if not source.get(name)]
    problems += [f"source has an unknown field '{name}'" for name in source if name not in SOURCE_FIELDS + OPTIONAL_SOURCE_FIELDS]
    title, url = source.get("title"), source.get("url")
    if title and (not isinstance(title, str) or ": " not in title):
        problems.append(f"source title must read 'Publisher: Page title' (got {title!r})")
    if url and (not isinstance(url, str) or not url.startswith("https://") or any(c in url for c in " ()<>")):
        problems.append(f"source url must be an https URL without spaces or parentheses (got {url!r})")
    if "lang" in source and source["lang"] not in FORMATS["sv"].source_lang:
        problems.append(f"source lang {source['lang']!r} is not a language code we name")
    return problems


def stale_facts(facts: dict[str, dict[str, Any]], today: dt.date, max_age_days: int = MAX_AGE_DAYS) -> list[str]:
    """The facts whose check is older than max_age_days, as 'key (checked YYYY-MM-DD)'."""
    limit = today - dt.timedelta(days=max_age_days)
    return [f"{key} (checked {fact['checked']})" for key, fact in sorted(facts.items()) if fact["checked"] < limit]


# ---------------------------------------------------------------- formatting


def format_number(value: float | int, formats: Formats, decimals: int | None = None) -> str:
    """25 -> '25', 25.5 -> '25,5' (sv), 1600 -> '1 600' (sv) / '1,600' (en)."""
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = formats.thousands.join([whole, *groups])
    return sign + text + (formats.decimal + fraction if fraction else "")


def round_kronor(amount: float) -> int:
    """Round a converted amount as a reader would say it: whole kronor under 100, tens under 1 000,
    hundreds above. More precision would pretend to know tomorrow's exchange rate."""
    exact = Decimal(str(amount))
    step = Decimal(1) if exact < 100 else Decimal(10) if exact < 1000 else Decimal(100)
    return int((exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def format_fact(fact: dict[str, Any], formats: Formats, eur_rate: float | None, bare: bool = False) -> str:
    """One fact's value as the page's language writes it; eur_rate converts euro to the language's
    own kronor (None where the reader pays in euro)."""
    unit, value = fact["unit"], fact["value"]
    if unit == "EUR":
        cents = 2 if value != int(value) else None  # 2.9 -> 2,90 €: money with cents shows both digits
        eur = formats.eur_bare.format(n=format_number(value, formats, cents))
        if bare or formats.local_currency is None:
            return eur
        if eur_rate is None:
            # Only when a page shows one: a language whose pages print euro amounts bare (Norwegian:
            # the EU duty does not apply in Norway) needs no rate, and none is kept without a reader.
            raise PluginError(
                f"{FX_KEYS[formats.local_currency]} is needed to show euro amounts in kronor: "
                f"add it to {FACTS_FILE}, or use the bare flag"
            )
        local = formats.money[formats.local_currency].format(n=format_number(round_kronor(value * eur_rate), formats))
        return formats.eur.format(eur=eur, local=local)
    if unit in CURRENCIES or unit in RATE_UNITS or unit == "percent":
        number = format_number(value, formats)
        if bare:
            return number
        if unit == "percent":
            return formats.percent.format(n=number)
        if unit in RATE_UNITS:
            return formats.rate.format(money=formats.money[RATE_UNITS[unit]].format(n=number))
        return formats.money[unit].format(n=number)
    if unit in COUNT_UNITS:
        singular, plural = formats.durations[unit]
        return str(value) if bare else f"{value}{NBSP}{singular if value == 1 else plural}"
    if unit == "date":
        template = formats.date_bare if bare else formats.date
        return template.format(day=value.day, month=formats.months[value.month - 1], month_number=value.month, year=value.year)
    if unit == "month":
        year, month = MONTH_VALUE.fullmatch(value).groups()  # type: ignore[union-attr]  # checked on load
        return formats.month.format(month=formats.months[int(month) - 1], year=year)
    return str(value)  # label, text, digits: as they are


def format_checked(day: dt.date, formats: Formats) -> str:
    return formats.checked.format(month=formats.months[day.month - 1], year=day.year)


# ---------------------------------------------------------------- pages


def replace_shortcodes(markdown: str, facts: dict[str, dict[str, Any]], locale: str, where: str) -> tuple[str, list[str]]:
    """Replace every `<!-- fact KEY [flag] -->`; return the new Markdown and the keys used, in order."""
    formats = formats_for(locale)
    fx_key = FX_KEYS.get(formats.local_currency or "")
    eur_rate = facts[fx_key]["value"] if fx_key in facts else None
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, words = match[1], match[2].split()
        if name != "fact":
            raise PluginError(f"facts: {where}: '<!-- {name}' is not a shortcode; write '<!-- fact KEY -->'")
        if not words:
            raise PluginError(f"facts: {where}: a fact shortcode without a key: {match[0]!r}")
        key, flags = words[0], words[1:]
        if key not in facts:
            raise PluginError(f"facts: {where}: unknown fact '{key}' (not in {FACTS_FILE})")
        unknown = [flag for flag in flags if flag not in FLAGS]
        if unknown or len(flags) > 1:
            raise PluginError(f"facts: {where}: unknown flag {' '.join(unknown or flags)!r} for fact '{key}' (known: {', '.join(FLAGS)})")
        used.append(key)
        try:
            return format_fact(facts[key], formats, eur_rate, bare=bool(flags))
        except PluginError as error:
            raise PluginError(f"facts: {where}: fact '{key}': {error}") from None

    return SHORTCODE.sub(replace, markdown), used


def source_items(keys: list[str], facts: dict[str, dict[str, Any]], locale: str) -> list[tuple[str, str]]:
    """One (url, Markdown list item) per distinct source of the keys, in order of first use. A source
    shared by facts checked on different days shows the oldest check: that is what the page can vouch for."""
    formats = formats_for(locale)
    oldest: dict[str, dt.date] = {}
    sources: dict[str, dict[str, str]] = {}
    for key in keys:
        fact = facts[key]
        url = fact["source"]["url"]
        sources.setdefault(url, fact["source"])
        oldest[url] = min(oldest.get(url, fact["checked"]), fact["checked"])
    items = []
    for url, source in sources.items():
        publisher, title = source["title"].split(": ", 1)
        language = source.get("lang")
        note = f" ({formats.source_lang[language]})" if language and language != locale else ""
        items.append((url, f"- {publisher}: [{title}]({url}){note} ({format_checked(oldest[url], formats)})"))
    return items


def add_sources(markdown: str, items: list[tuple[str, str]], where: str) -> str:
    """Add the items to the list in the `{ #sources }` section, skipping URLs already listed there."""
    heading = SOURCES_HEADING.search(markdown)
    if heading is None:
        raise PluginError(f"facts: {where} uses facts but has no sources section (a last '## … {{ #sources }}' section: Källor, Sources, Kilder, Lähteet)")
    lines = markdown[heading.end():].split("\n")
    end = next((i for i, line in enumerate(lines) if i and re.match(r"#{1,2}\s", line)), len(lines))
    section = "\n".join(lines[:end])
    new = [item for url, item in items if f"]({url})" not in section and f"<{url}>" not in section]
    if not new:
        return markdown
    # After the last list item (and its indented continuation lines) of the section; with no list
    # yet, a new list after the section's text, set off by a blank line.
    after_item = after_text = 0
    in_item = False
    for i, line in enumerate(lines[:end]):
        if re.match(r"[-*+]\s", line):
            after_item, in_item = i + 1, True
        elif in_item and line.startswith((" ", "\t")) and line.strip():
            after_item = i + 1
        elif line.strip():
            in_item = False
            if not line.startswith("--8<--"):
                after_text = i + 1
    if after_item:
        at = after_item
    else:
        at, new = max(after_text, 1), ["", *new]
    if at < len(lines) and lines[at].strip():
        new.append("")
    lines[at:at] = new
    return markdown[: heading.end()] + "\n".join(lines)


# ---------------------------------------------------------------- MkDocs events

_facts: dict[str, dict[str, Any]] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = Path(config.config_file_path).resolve().parent
    _facts.clear()
    _facts.update(load_facts(root / FACTS_FILE))
    for locale in i18n.built_languages(config):
        formats_for(locale)  # fail before anything is built
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    where = f"docs/{page.file.src_uri}"
    locale = i18n.page_language(page, config)
    markdown, used = replace_shortcodes(markdown, _facts, locale, where)
    if not used:
        return markdown
    return add_sources(markdown, source_items(used, _facts, locale), where)
