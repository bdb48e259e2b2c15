"""The facts file and the hook that puts facts on pages (overrides/hooks/facts.py).

* formatting per language, written out by hand: "3 euro (cirka 35 kr)", "den 1 juli 2026", "€3 (about SEK 35)";
* the build stops on an unknown key or flag (naming page and key) and on a malformed facts file;
* staleness: a fact checked more than 180 days ago fails `make test`, by name;
* every page lists the source of every fact it uses, with its check month (read from the built site).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from mkdocs.exceptions import PluginError

from conftest import DOCS, LANGUAGES, ROOT, page_names
from test_content import CHECK_MARK, read_article

NB = "\u00a0"  # the hook keeps a number and its unit together with a no-break space


def load_hook() -> ModuleType:
    # As MkDocs does when it loads a hook: the hooks' folder is on sys.path, so `import i18n` works.
    hooks = str(ROOT / "overrides" / "hooks")
    if hooks not in sys.path:
        sys.path.insert(0, hooks)
    spec = importlib.util.spec_from_file_location("facts_hook", ROOT / "overrides" / "hooks" / "facts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


facts_hook = load_hook()
FACTS_PATH = ROOT / "snippets" / "facts.yml"
TODAY = dt.date(2026, 11, 30)


def fact(value: Any, unit: str, checked: dt.date = TODAY, url: str = "https://www.tullverket.se/a", **source: str) -> dict[str, Any]:
    return {
        "value": value,
        "unit": unit,
        "country": "EU",
        "source": {"title": "Tullverket: Tull på små paket", "url": url, **source},
        "checked": checked,
    }


# A rate that makes the arithmetic easy to check by hand: 3 * 11.6 = 34.8, about 35 kronor.
FACTS = {
    "fx.eur_sek": fact(11.6, "SEK_per_EUR", url="https://www.riksbank.se/x"),
    "eu.duty.per_item": fact(3, "EUR"),
    "eu.duty.limit": fact(150, "EUR"),
    "eu.duty.start": fact(dt.date(2026, 7, 1), "date"),
    "eu.duty.agreed": fact("2025-12", "month", checked=dt.date(2026, 9, 4)),
    "se.vat.rate": fact(25, "percent", url="https://www.skatteverket.se/moms"),
    "fi.vat.rate": fact(25.5, "percent", url="https://www.vero.fi/moms"),
    "se.postnord.fee_standard": fact(175, "SEK", url="https://www.postnord.se/avgift"),
    "se.tullverket.limit": fact(1600, "SEK", url="https://www.postnord.se/avgift"),
    "se.consumer.withdrawal_days": fact(14, "days"),
    "se.consumer.complaint_years": fact(3, "years"),
    "se.arn.deadline_years": fact(1, "years"),
    "aliexpress.label.order_number_web": fact("Ref. Number", "label"),
    "aliexpress.order_number.digits": fact("16", "digits"),
}


def show(key: str, locale: str, bare: bool = False) -> str:
    formats = facts_hook.formats_for(locale)
    return facts_hook.format_fact(FACTS[key], formats, FACTS["fx.eur_sek"]["value"], bare=bare)


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("key", "swedish", "english"),
    [
        ("eu.duty.per_item", f"3{NB}euro (cirka 35{NB}kr)", f"€3 (about SEK{NB}35)"),
        ("eu.duty.limit", f"150{NB}euro (cirka 1{NB}700{NB}kr)", f"€150 (about SEK{NB}1,700)"),
        ("eu.duty.start", "den 1 juli 2026", "1 July 2026"),
        ("eu.duty.agreed", "december 2025", "December 2025"),
        ("se.vat.rate", f"25{NB}%", "25%"),
        ("fi.vat.rate", f"25,5{NB}%", "25.5%"),
        ("se.postnord.fee_standard", f"175{NB}kr", f"SEK{NB}175"),
        ("se.tullverket.limit", f"1{NB}600{NB}kr", f"SEK{NB}1,600"),
        ("se.consumer.withdrawal_days", f"14{NB}dagar", f"14{NB}days"),
        ("se.consumer.complaint_years", f"3{NB}år", f"3{NB}years"),
        ("se.arn.deadline_years", f"1{NB}år", f"1{NB}year"),
        ("aliexpress.label.order_number_web", "Ref. Number", "Ref. Number"),
        ("aliexpress.order_number.digits", "16", "16"),
        ("fx.eur_sek", f"11,6{NB}kr per euro", f"SEK{NB}11.6 per euro"),
    ],
)
def test_each_unit_reads_as_the_language_writes_it(key: str, swedish: str, english: str) -> None:
    assert show(key, "sv") == swedish
    assert show(key, "en") == english


# The other Nordic languages, written out by hand from each language council's rules: Norwegian and
# Danish put the day with a dot, Danish groups thousands with a dot, Finland pays in euro (no kronor
# beside it) and writes dates as 1.7.2026. Rates chosen for easy arithmetic: 3 * 11.8 = 35.4,
# 3 * 7.46 = 22.38; 150 * 11.8 = 1770 -> 1 800, 150 * 7.46 = 1119 -> 1 100.
NORDIC = {"fx.eur_nok": fact(11.8, "NOK_per_EUR"), "fx.eur_dkk": fact(7.46, "DKK_per_EUR"), "no.vat.limit": fact(3000, "NOK"), "dk.fee": fact(1500, "DKK"), "fi.posti.fee": fact(2.9, "EUR")}


@pytest.mark.parametrize(
    ("key", "locale", "expected"),
    [
        ("eu.duty.per_item", "nb", f"3{NB}euro (omtrent 35{NB}kr)"),
        ("eu.duty.limit", "nb", f"150{NB}euro (omtrent 1{NB}800{NB}kr)"),
        ("eu.duty.per_item", "da", f"3{NB}euro (ca. 22{NB}kr)"),
        ("eu.duty.limit", "da", f"150{NB}euro (ca. 1.100{NB}kr)"),
        ("eu.duty.per_item", "fi", f"3{NB}€"),
        ("eu.duty.limit", "fi", f"150{NB}€"),
        ("fi.posti.fee", "fi", f"2,90{NB}€"),  # money with cents shows both digits
        ("fi.posti.fee", "nb", f"2,90{NB}euro (omtrent 34{NB}kr)"),  # 2.9 * 11.8 = 34.22
        ("eu.duty.start", "nb", "1. juli 2026"),
        ("eu.duty.start", "da", "1. juli 2026"),
        ("eu.duty.start", "fi", "1.7.2026"),
        ("eu.duty.agreed", "da", "december 2025"),
        ("eu.duty.agreed", "fi", "joulukuu 2025"),
        ("fi.vat.rate", "fi", f"25,5{NB}%"),
        ("fi.vat.rate", "nb", f"25,5{NB}%"),
        ("no.vat.limit", "nb", f"3{NB}000{NB}kr"),
        ("no.vat.limit", "da", f"3.000{NB}NOK"),  # another country's kronor by their code
        ("no.vat.limit", "en", f"NOK{NB}3,000"),
        ("dk.fee", "da", f"1.500{NB}kr"),
        ("se.postnord.fee_standard", "nb", f"175{NB}SEK"),
        ("fx.eur_nok", "nb", f"11,8{NB}kr per euro"),
        ("fx.eur_dkk", "da", f"7,46{NB}kr pr. euro"),
        ("se.consumer.withdrawal_days", "nb", f"14{NB}dager"),
        ("se.consumer.withdrawal_days", "da", f"14{NB}dage"),
        ("se.consumer.withdrawal_days", "fi", f"14{NB}päivää"),
        ("se.arn.deadline_years", "fi", f"1{NB}vuosi"),
        ("se.consumer.complaint_years", "fi", f"3{NB}vuotta"),
    ],
)
def test_nordic_languages_write_each_unit_their_way(key: str, locale: str, expected: str) -> None:
    facts = {**FACTS, **NORDIC}
    formats = facts_hook.formats_for(locale)
    currency = formats.local_currency
    rate = facts[facts_hook.FX_KEYS[currency]]["value"] if currency else None
    assert facts_hook.format_fact(facts[key], formats, rate) == expected


@pytest.mark.parametrize(
    ("locale", "mark"),
    [("nb", "kontrollert november 2026"), ("da", "kontrolleret november 2026"), ("fi", "tarkistettu marraskuussa 2026")],
)
def test_the_check_mark_in_each_nordic_language(locale: str, mark: str) -> None:
    assert facts_hook.format_checked(TODAY, facts_hook.formats_for(locale)) == mark


def test_a_euro_amount_in_kronor_without_the_rate_names_page_and_fact() -> None:
    facts = {key: value for key, value in FACTS.items() if key != "fx.eur_sek"}
    with pytest.raises(PluginError, match=r"docs/nb/handla\.md: fact 'eu\.duty\.per_item': fx\.eur_nok is needed"):
        facts_hook.replace_shortcodes("Tollen er <!-- fact eu.duty.per_item -->.", facts, "nb", "docs/nb/handla.md")
    # Bare, or in Finnish (euro only), no rate is needed.
    assert facts_hook.replace_shortcodes("<!-- fact eu.duty.per_item bare -->", facts, "nb", "x")[0] == f"3{NB}euro"
    assert facts_hook.replace_shortcodes("<!-- fact eu.duty.per_item -->", facts, "fi", "x")[0] == f"3{NB}€"


def test_bare_gives_the_value_alone() -> None:
    assert show("eu.duty.per_item", "sv", bare=True) == f"3{NB}euro"
    assert show("eu.duty.per_item", "en", bare=True) == "€3"
    assert show("eu.duty.start", "sv", bare=True) == "1 juli 2026"
    assert show("se.consumer.withdrawal_days", "sv", bare=True) == "14"
    assert show("se.tullverket.limit", "sv", bare=True) == f"1{NB}600"


@pytest.mark.parametrize(
    ("exact", "said"),
    [(33.12, 33), (34.8, 35), (99.4, 99), (99.5, 100), (242.88, 240), (245, 250), (999.4, 1000), (1656, 1700), (1649.9, 1600), (12_345, 12_300)],
)
def test_kronor_are_rounded_as_a_reader_says_them(exact: float, said: int) -> None:
    # Whole kronor under 100, tens under 1 000, hundreds above; halves round up.
    assert facts_hook.round_kronor(exact) == said


def test_numbers_group_thousands_per_language() -> None:
    sv, en = facts_hook.formats_for("sv"), facts_hook.formats_for("en")
    assert facts_hook.format_number(1_234_567, sv) == f"1{NB}234{NB}567"
    assert facts_hook.format_number(1_234_567, en) == "1,234,567"
    assert facts_hook.format_number(999, sv) == "999"
    assert facts_hook.format_number(3.75, sv) == "3,75"


def test_a_language_without_formats_is_named() -> None:
    with pytest.raises(PluginError, match="no formats for locale 'is'"):
        facts_hook.formats_for("is")  # Icelandic: not a language of this site


# ---------------------------------------------------------------- shortcodes in a page


def test_shortcodes_work_inline_in_bold_lists_and_tables() -> None:
    markdown = textwrap.dedent(
        """\
        Tullen är <!-- fact eu.duty.per_item --> per varuslag från <!-- fact eu.duty.start -->.

        - Under **<!-- fact aliexpress.label.order_number_web -->** står numret.

        | moms | <!--fact se.vat.rate--> |
        """
    )
    result, used = facts_hook.replace_shortcodes(markdown, FACTS, "sv", "docs/sv/handla.md")
    assert result == textwrap.dedent(
        f"""\
        Tullen är 3{NB}euro (cirka 35{NB}kr) per varuslag från den 1 juli 2026.

        - Under **Ref. Number** står numret.

        | moms | 25{NB}% |
        """
    )
    assert used == ["eu.duty.per_item", "eu.duty.start", "aliexpress.label.order_number_web", "se.vat.rate"]


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("Tullen är <!-- fact eu.duty.per_itm --> nu.", r"docs/sv/handla\.md: unknown fact 'eu\.duty\.per_itm'"),
        ("Tullen är <!-- fact eu.duty.per_item naked --> nu.", r"docs/sv/handla\.md: unknown flag 'naked' for fact 'eu\.duty\.per_item'"),
        ("Tullen är <!-- fact eu.duty.per_item bare bare --> nu.", r"docs/sv/handla\.md: unknown flag 'bare bare'"),
        ("Tullen är <!-- facts eu.duty.per_item --> nu.", r"docs/sv/handla\.md: '<!-- facts' is not a shortcode"),
        ("Tullen är <!-- fact --> nu.", r"docs/sv/handla\.md: a fact shortcode without a key"),
    ],
)
def test_a_wrong_shortcode_stops_the_build_naming_page_and_key(markdown: str, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        facts_hook.replace_shortcodes(markdown, FACTS, "sv", "docs/sv/handla.md")


# ---------------------------------------------------------------- generated sources

PAGE = textwrap.dedent(
    """\
    # Handla

    Text.

    ## Läs också { #read-more }

    - [Hitta ordernumret](hitta-ordernumret.md)

    ## Källor { #sources }

    - Hallå konsument: [Handla utanför EU](https://www.hallakonsument.se/x) (kontrollerad oktober 2026)
    - PostNord: [Avgifter](https://www.postnord.se/avgift) (kontrollerad november 2026)
    """
)


def test_sources_get_one_item_per_distinct_source_with_its_check_month() -> None:
    keys = ["eu.duty.per_item", "eu.duty.agreed", "se.postnord.fee_standard", "eu.duty.limit", "se.vat.rate"]
    items = facts_hook.source_items(keys, FACTS, "sv")
    # eu.duty.per_item, .agreed and .limit share one source; .agreed was checked in September, so the
    # item says September: the oldest check is what the page can vouch for.
    assert [item for _, item in items] == [
        "- Tullverket: [Tull på små paket](https://www.tullverket.se/a) (kontrollerad september 2026)",
        "- Tullverket: [Tull på små paket](https://www.postnord.se/avgift) (kontrollerad november 2026)",
        "- Tullverket: [Tull på små paket](https://www.skatteverket.se/moms) (kontrollerad november 2026)",
    ]
    result = facts_hook.add_sources(PAGE, items, "docs/sv/handla.md")
    # The PostNord URL is listed by hand already; the two others follow the hand-written items.
    assert result.endswith(
        "(https://www.postnord.se/avgift) (kontrollerad november 2026)\n"
        "- Tullverket: [Tull på små paket](https://www.tullverket.se/a) (kontrollerad september 2026)\n"
        "- Tullverket: [Tull på små paket](https://www.skatteverket.se/moms) (kontrollerad november 2026)\n"
    )
    assert result.count("https://www.postnord.se/avgift") == 1
    assert "## Läs också { #read-more }\n\n- [Hitta ordernumret](hitta-ordernumret.md)\n\n## Källor" in result


def test_a_source_in_another_language_says_so() -> None:
    facts = {**FACTS, "eu.duty.per_item": fact(3, "EUR", url="https://www.tullverket.se/en/x", lang="en")}
    [(_, swedish)] = facts_hook.source_items(["eu.duty.per_item"], facts, "sv")
    [(_, english)] = facts_hook.source_items(["eu.duty.per_item"], facts, "en")
    assert swedish == "- Tullverket: [Tull på små paket](https://www.tullverket.se/en/x) (på engelska) (kontrollerad november 2026)"
    assert english == "- Tullverket: [Tull på små paket](https://www.tullverket.se/en/x) (checked November 2026)"


def test_a_sources_section_without_a_list_gets_one() -> None:
    page = "# Om\n\n## Källor { #sources }\n\nUppgifterna kommer från myndigheterna.\n"
    result = facts_hook.add_sources(page, [("https://x.se", "- X: [Y](https://x.se) (kontrollerad november 2026)")], "docs/sv/om.md")
    assert result == "# Om\n\n## Källor { #sources }\n\nUppgifterna kommer från myndigheterna.\n\n- X: [Y](https://x.se) (kontrollerad november 2026)\n"


def test_a_page_with_facts_but_no_sources_section_stops_the_build() -> None:
    with pytest.raises(PluginError, match=r"docs/sv/om\.md uses facts but has no sources section"):
        facts_hook.add_sources("# Om\n\n## Läs också { #read-more }\n", [("https://x.se", "- X")], "docs/sv/om.md")


# ---------------------------------------------------------------- the facts file itself


def write_facts(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    fx.eur_sek:
      value: 11.04
      unit: SEK_per_EUR
      country: SE
      source: {title: "PostNord: Frågor och svar", url: "https://www.postnord.se/x"}
      checked: 2026-11-30
    eu.duty.per_item:
      value: 3
      unit: EUR
      country: EU
      source: {title: "Tullverket: Tull på små paket", url: "https://www.tullverket.se/x"}
      checked: 2026-11-30
    """


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    facts = facts_hook.load_facts(write_facts(tmp_path, GOOD))
    assert facts["eu.duty.per_item"]["value"] == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("      unit: EUR\n", ""), r"eu\.duty\.per_item: missing field 'unit'"),
        (("      unit: EUR\n", "      unit: euro\n"), r"eu\.duty\.per_item: unknown unit 'euro'"),
        (("      country: EU\n", "      country: Europe\n"), r"unknown country 'Europe'"),
        (("      value: 3\n", "      value: tre\n"), r"eu\.duty\.per_item: value must be a number of EUR"),
        (("      checked: 2026-11-30\n    eu", "      checked: 2026-11-31\n    eu"), r"not valid YAML|day is out of range"),
        (("      value: 3\n", "      value: 3\n      colour: blue\n"), r"unknown field 'colour'"),
        (("https://www.tullverket.se/x", "http://www.tullverket.se/x"), r"source url must be an https URL"),
        (('"Tullverket: Tull på små paket"', '"Tull på små paket"'), r"source title must read 'Publisher: Page title'"),
        (("eu.duty.per_item:", "eu.duty:"), r"'eu\.duty': a key is <scope>\.<topic>\.<name>"),
        (("eu.duty.per_item:", "fx.eur_sek:"), r"fx\.eur_sek is defined twice"),
        (("fx.eur_sek:", "fx.eur_nok:"), r"fx\.eur_nok: unit must be NOK_per_EUR"),
    ],
)
def test_a_malformed_file_stops_the_build_naming_the_fact(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(PluginError, match=message):
        facts_hook.load_facts(write_facts(tmp_path, GOOD.replace(old, new, 1)))


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("date", "1 juli 2026", "value must be a date"),
        ("month", "2025-13", "value must be a month"),
        ("month", "december 2025", "value must be a month"),
        ("days", 14.5, "whole number of days"),
        ("digits", "16 siffror", "value must be digits"),
        ("label", "**My Orders**", "a character Markdown would change"),
        ("label", "Refund | Return", "a character Markdown would change"),  # would split a table cell
        ("label", "", "non-empty string"),
    ],
)
def test_each_unit_checks_its_value(unit: str, value: Any, message: str) -> None:
    problems = facts_hook.fact_problems("aliexpress.label.test", fact(value, unit))
    assert any(message in problem for problem in problems), problems


def test_norway_stays_norway(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted NO as false; the facts file reads it as the country code.
    facts = facts_hook.load_facts(write_facts(tmp_path, GOOD.replace("country: EU", "country: NO")))
    assert facts["eu.duty.per_item"]["country"] == "NO"


def test_the_projects_facts_file_is_well_formed() -> None:
    facts = facts_hook.load_facts(FACTS_PATH)
    assert facts["fx.eur_sek"]["unit"] == "SEK_per_EUR"


# ---------------------------------------------------------------- staleness (180 days)


def test_staleness_check_names_old_facts_and_only_them() -> None:
    facts = {
        "se.vat.rate": fact(25, "percent", checked=dt.date(2026, 1, 5)),  # 329 days before TODAY
        "eu.duty.per_item": fact(3, "EUR", checked=dt.date(2026, 6, 3)),  # exactly 180 days: still fine
        "eu.duty.limit": fact(150, "EUR", checked=dt.date(2026, 6, 2)),  # 181 days
        "se.postnord.fee_standard": fact(175, "SEK", checked=TODAY),
    }
    assert facts_hook.stale_facts(facts, TODAY) == ["eu.duty.limit (checked 2026-06-02)", "se.vat.rate (checked 2026-01-05)"]


def test_no_fact_is_older_than_180_days() -> None:
    stale = facts_hook.stale_facts(facts_hook.load_facts(FACTS_PATH), dt.date.today())
    assert stale == [], "re-check these facts against their sources, then update `checked`:\n  " + "\n  ".join(stale)


# ---------------------------------------------------------------- the built site

SHORTCODE_KEY = re.compile(r"<!--\s*fact\s+(\S+)")


def missing_sources(markdown: str, source_links: list[str], facts: dict[str, dict[str, Any]]) -> list[str]:
    """The source URLs of the facts a page's Markdown uses that its built sources section lacks."""
    wanted = {facts[key]["source"]["url"] for key in SHORTCODE_KEY.findall(markdown) if key in facts}
    return sorted(wanted - set(source_links))


def test_missing_sources_finds_a_fact_without_its_source() -> None:
    markdown = "Tullen är <!-- fact eu.duty.per_item -->, momsen <!-- fact se.vat.rate bare -->."
    assert missing_sources(markdown, ["https://www.tullverket.se/a"], FACTS) == ["https://www.skatteverket.se/moms"]
    assert missing_sources(markdown, ["https://www.tullverket.se/a", "https://www.skatteverket.se/moms"], FACTS) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_every_page_lists_the_sources_of_its_facts(name: str, lang: str) -> None:
    facts = facts_hook.load_facts(FACTS_PATH)
    article = read_article(name, lang)
    markdown = (DOCS / lang / name).read_text(encoding="utf-8")
    missing = missing_sources(markdown, article.source_links, facts)
    assert missing == [], f"{lang}/{name}: the sources section lacks {missing}"
    # And each of those items carries its check month.
    used = {facts[key]["source"]["url"] for key in SHORTCODE_KEY.findall(markdown) if key in facts}
    for item, links in zip(article.source_items, article.source_item_links):
        if used & set(links):
            assert re.search(CHECK_MARK[lang], item), f"{lang}/{name}: no check month in {item!r}"


# ---------------------------------------------------------------- through MkDocs, on a tiny site

MINI_CONFIG = """\
site_name: Mini
docs_dir: docs
theme:
  name: material
  language: sv
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - {locale: sv, name: Svenska, default: true, build: true}
        - {locale: en, name: English, build: true}
hooks:
  - %s
"""


def build_mini_site(tmp_path: Path, swedish: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "facts.yml").write_text(FACTS_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(MINI_CONFIG % (ROOT / "overrides" / "hooks" / "facts.py"), encoding="utf-8")
    for lang, text in (("sv", swedish), ("en", "# Mini\n\nNo facts here.\n")):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )


def test_mkdocs_runs_the_hook_and_lists_the_source(tmp_path: Path) -> None:
    result = build_mini_site(tmp_path, "# Mini\n\nMomsen är <!-- fact se.vat.rate -->.\n\n## Källor { #sources }\n")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"Momsen är 25{NB}%." in html
    url = facts_hook.load_facts(FACTS_PATH)["se.vat.rate"]["source"]["url"]
    assert f'href="{url}"' in html


def test_mkdocs_stops_on_an_unknown_key_naming_page_and_key(tmp_path: Path) -> None:
    result = build_mini_site(tmp_path, "# Mini\n\nMomsen är <!-- fact se.vat.rat -->.\n\n## Källor { #sources }\n")
    assert result.returncode != 0
    assert "docs/sv/index.md: unknown fact 'se.vat.rat'" in result.stderr
