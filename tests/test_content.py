"""Quality gates for the guide's prose, read from the built pages:

* spelling: hunspell knows every word (plus a small reviewed word list per language);
* readability: LIX <= 40 on Swedish, Norwegian and Danish pages (Finnish: mean word length, see
  FINNISH_*); running text with a natural rhythm (mean sentence length in
  a band, no strings of very short sentences, no three sentences in a row opening with "Det"/"It");
* parity: every translation has the same heading IDs, figures and numbered steps;
* links: external links use https and are listed in the page's sources, each item with its check month;
* facts: no page states an amount, a percentage or a date by hand; those come from snippets/facts.yml.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DEFAULT_LANGUAGE, DOCS, LANGUAGES, ROOT, built_html, page_names

HUNSPELL_DICTS = {"sv": "sv_SE", "en": "en_US", "nb": "nb_NO", "da": "da_DK"}  # Debian's hunspell-* packages
VOIKKO_LANGUAGES = {"fi"}  # Finnish compounds and cases need Voikko's morphology, not a word list
# Debian's python3-libvoikko is one pure-Python file (ctypes over libvoikko1), loaded by path so the
# project's venv need not see the system's site-packages.
LIBVOIKKO_PY = Path("/usr/lib/python3/dist-packages/libvoikko.py")
MAX_LIX = 40
LIX_LANGUAGES = ("sv", "nb", "da")

# Rhythm. The old gate, "mean sentence length <= 15 words" over every block, rewarded the staccato the
# Swedish reading review faulted (5-10-word sentences, "lättläst" rather than klarspråk), and a
# heading or a table cell counted as a sentence. The style guide asks for most sentences of 8-18 words
# and no strings of five-word sentences. So we measure running text only (paragraphs, with a bold UI
# label counted as one word) and bound the mean from both sides; a page needs enough running text for a
# mean to say anything. LIX <= 40 stays as the ceiling for difficulty. Short sentences stay allowed: it
# is a run of them, or of "Det ..." openings, that reads as choppy.
MEAN_SENTENCE_BAND = (8.0, 18.0)
# Finnish says in one word what Swedish says in two or three: no articles, case endings instead of
# prepositions ("postissa" = "på posten"), possessive suffixes and compounds. The same content takes
# about a quarter fewer words, so the band moves down by a quarter. LIX counts every word over six
# letters as hard, and in Finnish that is most words ("tilausnumero", "sähköpostissa"), so it measures
# nothing; instead the mean word length is bounded, which catches stacked compounds and heavy
# nominal style (virkakieli) that plain Finnish avoids. Plain Finnish running text averages about 7
# letters a word; 8.0 leaves room for the unavoidable terms (tilausnumero, seurantanumero).
SENTENCE_BANDS = {"fi": (6.0, 14.0)}
FINNISH_MAX_MEAN_WORD_LENGTH = 8.0
MIN_SENTENCES_FOR_MEAN = 10
VERY_SHORT_SENTENCE = 5  # words
MAX_VERY_SHORT_RUN = 2
REPEATED_OPENERS = {"sv": "Det", "en": "It", "nb": "Det", "da": "Det", "fi": "Se"}
MAX_SAME_OPENER_RUN = 2
LABEL_WORD = "Label"  # stands in for a bold UI label in running text: a name, one word long

# The check mark every item of a sources section carries, hand-written or generated (facts hook).
CHECK_MARK = {
    "sv": r"\(kontrollerad (?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}\)",
    "en": r"\(checked (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\)",
    "nb": r"\(kontrollert (?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember) \d{4}\)",
    "da": r"\(kontrolleret (?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december) \d{4}\)",
    "fi": r"\(tarkistettu (?:tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)kuussa \d{4}\)",
}

# Text in these elements is not prose: code, machine output, the permalink marks.
SKIP_TAGS = {"code", "pre", "script", "style", "kbd", "svg", "template", "noscript", "button"}
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "summary", "figcaption", "div", "blockquote", "label"}
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


@dataclass
class Article:
    """What a built page's main article says, split the way the gates need it."""

    prose: list[str] = field(default_factory=list)  # one string per block of running text
    bold: list[str] = field(default_factory=list)  # on-screen labels (the style guide bolds them)
    heading_ids: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    ordered_steps: int = 0
    external_links: list[str] = field(default_factory=list)
    source_links: list[str] = field(default_factory=list)
    sources_text: str = ""
    source_items: list[str] = field(default_factory=list)  # text of each list item under { #sources }
    source_item_links: list[list[str]] = field(default_factory=list)  # the external links in each
    # Running text: the paragraphs, grouped while they follow one another (a heading, list, table or
    # admonition starts a new group), each with bold labels as LABEL_WORD.
    running: list[list[str]] = field(default_factory=list)


class ArticleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.article = Article()
        self.depth = 0  # > 0 inside <article>
        self.skipping: list[str] = []  # open elements whose text is not prose
        self.strong = 0
        self.ol_depth = 0
        self.in_sources = False
        self.block: list[str] = []
        self.paragraph: list[str] | None = None  # collecting a running-text paragraph
        self.after_paragraph = False  # the last block closed was a paragraph
        self.source_item: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self.block).split())
        if text:
            self.article.prose.append(text)
        self.block = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "article":
            self.depth += 1
        if not self.depth:
            return
        classes = (attr.get("class") or "").split()
        if tag in SKIP_TAGS or {"headerlink", "filename"} & set(classes) or self.skipping:
            self.skipping.append(tag)
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "p" and not self.skipping and "admonition-title" not in classes:
            if not self.after_paragraph:
                self.article.running.append([])
            self.paragraph = []
        elif tag in BLOCK_TAGS or tag in ("ul", "ol", "table", "dl"):
            self.after_paragraph = False
        if tag == "li" and self.in_sources:
            self.source_item = []
            self.article.source_item_links.append([])
        if tag in ("strong", "b"):
            self.strong += 1
            if self.paragraph is not None and not self.skipping:
                self.paragraph.append(f" {LABEL_WORD} ")
        if tag == "ol":
            self.ol_depth += 1
        if tag == "li" and self.ol_depth:
            self.article.ordered_steps += 1
        if re.fullmatch(r"h[2-6]", tag):
            self.article.heading_ids.append(attr.get("id") or "")
            if tag == "h2":
                self.in_sources = attr.get("id") == "sources"
        if tag == "img":
            self.article.figures.append(Path(attr.get("src") or "").name)
        if tag == "svg" and (attr.get("role") == "img"):
            self.article.figures.append(attr.get("aria-labelledby") or attr.get("id") or "svg")
        if tag == "a" and re.match(r"(?i)[a-z][a-z0-9+.-]*:", attr.get("href") or "") is not None:
            href = attr["href"] or ""
            if not href.startswith("mailto:"):
                self.article.external_links.append(href)
                if self.in_sources:
                    self.article.source_links.append(href)
                    if self.source_item is not None:
                        self.article.source_item_links[-1].append(href)

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "p" and self.paragraph is not None:
            text = " ".join("".join(self.paragraph).split())
            if text:
                self.article.running[-1].append(text)
            self.paragraph, self.after_paragraph = None, True
        if tag == "li" and self.source_item is not None:
            self.article.source_items.append(" ".join("".join(self.source_item).split()))
            self.source_item = None
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag in ("strong", "b") and self.strong:
            self.strong -= 1
        if tag == "ol":
            self.ol_depth -= 1
        if tag == "article":
            self._flush()
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth or self.skipping:
            return
        if self.in_sources:
            self.article.sources_text += data
            if self.source_item is not None:
                self.source_item.append(data)
        if self.paragraph is not None and not self.strong:
            self.paragraph.append(data)
        if self.strong:
            self.article.bold.append(data)
            self.block.append(" ")  # a label is a name, not part of the sentence's wording
        elif self.in_sources:
            # Publishers and their page titles, in their own language (the facts hook lists English and
            # Swedish pages alike), plus the check mark that test_external_links_are_https_and_sourced
            # checks. None of it is our prose, so the spelling and rhythm gates leave it alone.
            self.block.append(" ")
        else:
            self.block.append(data)


def read_article(name: str, lang: str) -> Article:
    parser = ArticleParser()
    parser.feed(built_html(name, lang).read_text(encoding="utf-8"))
    return parser.article


# ---------------------------------------------------------------- readability


def sentences(blocks: list[str]) -> list[list[str]]:
    """Split prose into sentences of words. A block (paragraph, list item, heading) ends a sentence."""
    result = []
    for block in blocks:
        for part in re.split(r"(?<=[.!?:;])\s+", block):
            words = WORD.findall(part)
            if words:
                result.append(words)
    return result


def lix(blocks: list[str]) -> float:
    split = sentences(blocks)
    words = [w for sentence in split for w in sentence]
    long_words = [w for w in words if len(w) > 6]
    return len(words) / len(split) + 100 * len(long_words) / len(words)


def rhythm_problems(groups: list[list[str]], lang: str) -> list[str]:
    """What makes running text read as choppy: a mean sentence length outside the band, a run of more
    than MAX_VERY_SHORT_RUN very short sentences, or of more than MAX_SAME_OPENER_RUN sentences that
    open with the same "Det"/"It". Runs count within consecutive paragraphs, not across a heading."""
    problems = []
    lengths = []
    for group in groups:
        short_run: list[str] = []
        opener_run: list[str] = []
        for part in (p for paragraph in group for p in re.split(r"(?<=[.!?:;])\s+", paragraph)):
            words = WORD.findall(part)
            if not words:
                continue
            lengths.append(len(words))
            short_run = short_run + [part] if len(words) <= VERY_SHORT_SENTENCE else []
            if len(short_run) == MAX_VERY_SHORT_RUN + 1:
                problems.append(f"{len(short_run)} very short sentences in a row: {' '.join(short_run)!r}")
            opener_run = opener_run + [part] if words[0] == REPEATED_OPENERS[lang] else []
            if len(opener_run) == MAX_SAME_OPENER_RUN + 1:
                problems.append(f"{len(opener_run)} sentences in a row open with '{words[0]}': {' '.join(opener_run)!r}")
    if len(lengths) >= MIN_SENTENCES_FOR_MEAN:
        mean = sum(lengths) / len(lengths)
        low, high = SENTENCE_BANDS.get(lang, MEAN_SENTENCE_BAND)
        if not low <= mean <= high:
            problems.append(f"mean sentence length {mean:.1f} words, outside {low:g}-{high:g}")
    return problems


def test_lix_counts_like_the_formula() -> None:
    # 2 sentences, 10 words, 2 words longer than 6 letters: 10/2 + 100*2/10 = 25.
    blocks = ["Jag har köpt en tröja.", "Ordernumret finns i mejlet från AliExpress."]
    assert sentences(blocks) == [["Jag", "har", "köpt", "en", "tröja"], ["Ordernumret", "finns", "i", "mejlet", "från", "AliExpress"]]
    assert lix(["Det var en gång en katt. Katten hette Måns."]) == pytest.approx(9 / 2 + 0)
    assert lix(["Ordernumret finns i beställningsbekräftelsen."]) == pytest.approx(4 / 1 + 100 * 2 / 4)


def test_rhythm_gate_catches_choppy_text_and_passes_natural_text() -> None:
    choppy = [["Öppna appen. Tryck på Konto. Välj Orders. Numret står där."]]
    assert any("very short sentences in a row" in p for p in rhythm_problems(choppy, "sv"))
    # Two short sentences, then a longer one, then short again: no run of three.
    mixed = [["Öppna appen. Tryck på Konto och välj sedan Orders i menyn längst ner. Numret står där."]]
    assert not any("in a row" in p for p in rhythm_problems(mixed, "sv"))
    # A heading between paragraphs ends a run: two groups of two short sentences are fine.
    assert rhythm_problems([["Öppna appen. Tryck på Konto."], ["Välj Orders. Numret står där."]], "sv") == []
    det = [["Det står i mejlet som du fick när du beställde varan. Det står också på sidan med dina beställningar. Det är samma nummer i appen och på webben."]]
    assert any("open with 'Det'" in p for p in rhythm_problems(det, "sv"))
    staccato = [["Tullen är liten. Den gäller alla paket. Den infördes i somras. Den är tillfällig."] * 3]
    assert any("mean sentence length" in p for p in rhythm_problems(staccato, "sv"))
    flowing = [[
        "Ordernumret står i mejlet som AliExpress skickar när du har lagt beställningen.",
        "Du hittar det också under Label på webben, bredvid varje beställning i listan.",
        "Numret är detsamma i appen, så du kan använda det du har närmast till hands.",
        "Spårningsnumret är något annat: det hör till paketet och fraktbolaget.",
        "Produkt-ID står i länken till varan och är samma för alla som köper den.",
    ] * 2]
    assert rhythm_problems(flowing, "sv") == []


def mean_word_length(blocks: list[str]) -> float:
    words = [w for sentence in sentences(blocks) for w in sentence]
    return sum(len(w) for w in words) / len(words)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang in LIX_LANGUAGES])
@pytest.mark.parametrize("name", page_names())
def test_scandinavian_pages_are_easy_to_read(name: str, lang: str) -> None:
    article = read_article(name, lang)
    score = lix(article.prose)
    assert score <= MAX_LIX, f"{lang}/{name}: LIX {score:.1f} > {MAX_LIX}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang == "fi"])
@pytest.mark.parametrize("name", page_names())
def test_finnish_pages_use_plain_words(name: str, lang: str) -> None:
    article = read_article(name, lang)
    mean = mean_word_length(article.prose)
    assert mean <= FINNISH_MAX_MEAN_WORD_LENGTH, f"{lang}/{name}: mean word length {mean:.2f} > {FINNISH_MAX_MEAN_WORD_LENGTH}"


def test_finnish_gates_tell_plain_from_heavy_finnish() -> None:
    # Written for this test: the same instruction in plain Finnish and in nominal officialese.
    plain = ["Avaa sovellus ja napauta Tili. Valitse sitten tilaus, jonka numeron tarvitset."]
    heavy = ["Tilausnumerotiedon selvittäminen edellyttää asiakastilinhallintatoiminnallisuuden käyttöönottoa."]
    assert mean_word_length(plain) <= FINNISH_MAX_MEAN_WORD_LENGTH < mean_word_length(heavy)
    finnish_staccato = [["Tulli on pieni. Se koskee kaikkia. Se on uusi. Se on väliaikainen."] * 3]
    assert any("mean sentence length" in p for p in rhythm_problems(finnish_staccato, "fi"))
    assert any("open with 'Se'" in p for p in rhythm_problems(finnish_staccato, "fi"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_running_text_has_a_natural_rhythm(name: str, lang: str) -> None:
    problems = rhythm_problems(read_article(name, lang).running, lang)
    assert problems == [], f"{lang}/{name}: " + "\n  ".join(problems)


# ---------------------------------------------------------------- spelling


def _libvoikko():  # noqa: ANN202 (a module loaded by path)
    if not LIBVOIKKO_PY.is_file():
        if os.environ.get("CI"):
            pytest.fail("Voikko is missing: `make test` installs libvoikko1, voikko-fi and python3-libvoikko with apt")
        pytest.skip("Voikko is not installed (make test installs it as root)")
    spec = importlib.util.spec_from_file_location("libvoikko", LIBVOIKKO_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def voikko_unknown(words: list[str], wordlist: Path) -> list[str]:
    """The words Voikko's Finnish morphology does not accept and the word list does not name."""
    accepted = set(wordlist.read_text(encoding="utf-8").split())
    voikko = _libvoikko().Voikko("fi")
    try:
        return sorted({w for w in words if w not in accepted and not voikko.spell(w)})
    finally:
        voikko.terminate()


def unknown_words(words: list[str], lang: str, also_english: bool = False) -> list[str]:
    if lang in VOIKKO_LANGUAGES:
        unknown = voikko_unknown(words, wordlist(lang))
        return hunspell_unknown(unknown, "en_US", wordlist(lang)) if also_english and unknown else unknown
    return hunspell_unknown(words, HUNSPELL_DICTS[lang] + (",en_US" if also_english else ""), wordlist(lang))


def hunspell_unknown(words: list[str], dictionaries: str, wordlist: Path) -> list[str]:
    if shutil.which("hunspell") is None:
        if os.environ.get("CI"):
            pytest.fail("hunspell is missing: `make test` installs it with apt")
        pytest.skip("hunspell is not installed (make test installs it as root)")
    # hunspell splits a word at its hyphens before it looks in the word list, so "e-posten" fails on
    # "e". A word-list entry that ends in a hyphen ("e-") names such a head: the rest of the word is
    # still checked ("e-posten" as "posten", "e-pstoen" fails).
    heads = tuple(entry for entry in wordlist.read_text(encoding="utf-8").split() if entry.endswith("-"))
    words = [next((w[len(h):] for h in heads if w.lower().startswith(h) and len(w) > len(h)), w) for w in words]
    result = subprocess.run(
        ["hunspell", "-i", "utf-8", "-d", dictionaries, "-p", str(wordlist), "-l"],
        input="\n".join(words),
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(set(result.stdout.split()))


def wordlist(lang: str) -> Path:
    return ROOT / "tests" / f"wordlist-{lang}.txt"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_spelling(name: str, lang: str) -> None:
    article = read_article(name, lang)
    words = WORD.findall(" ".join(article.prose))
    unknown = unknown_words(words, lang)
    assert unknown == [], f"{lang}/{name}: unknown words {unknown}"
    # Bold text names what is on the reader's screen, and AliExpress shows it in English.
    labels = WORD.findall(" ".join(article.bold))
    unknown = unknown_words(labels, lang, also_english=True)
    assert unknown == [], f"{lang}/{name}: unknown words in labels {unknown}"


# One common misspelling per language beside a correct word (written by hand, not from the pages).
TYPOS = {
    "sv": (["ordernummret", "mejlet"], ["ordernummret"]),
    "en": (["recieve", "parcel"], ["recieve"]),
    "nb": (["ordrenummeret", "bestiling"], ["bestiling"]),
    "da": (["ordrenummeret", "forsenkelse"], ["forsenkelse"]),
    "fi": (["tilausnumero", "tilausnumeor"], ["tilausnumeor"]),
}


def test_a_hyphen_head_in_the_word_list_still_checks_the_rest() -> None:
    # tests/wordlist-nb.txt names "e-" (e-post, e-posten, e-postadressen): the rest is checked.
    assert hunspell_unknown(["e-posten", "e-postadressen", "e-pstoen", "e"], "nb_NO", wordlist("nb")) == ["e", "pstoen"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spelling_gate_catches_a_typo(lang: str) -> None:
    words, typos = TYPOS[lang]
    assert unknown_words(words, lang) == typos


@pytest.mark.parametrize("lang", LANGUAGES)
def test_word_lists_have_no_duplicates_and_stay_short(lang: str) -> None:
    lines = wordlist(lang).read_text(encoding="utf-8").split()
    assert len(lines) == len(set(lines)), "duplicates in the word list"
    assert len(lines) <= 150, "the word list is for names and labels, not for hiding typos"


# ---------------------------------------------------------------- parity between translations


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE])
@pytest.mark.parametrize("name", page_names())
def test_translation_has_the_same_structure(name: str, lang: str) -> None:
    reference = read_article(name, DEFAULT_LANGUAGE)
    translation = read_article(name, lang)
    assert translation.heading_ids == reference.heading_ids, f"{lang}/{name}: heading IDs differ"
    assert all(reference.heading_ids), f"{name}: a heading without an explicit ID"
    assert translation.figures == reference.figures, f"{lang}/{name}: figures differ"
    assert translation.ordered_steps == reference.ordered_steps, f"{lang}/{name}: numbered steps differ"


# ---------------------------------------------------------------- links and sources


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_external_links_are_https_and_sourced(name: str, lang: str) -> None:
    article = read_article(name, lang)
    for link in article.external_links:
        assert link.startswith("https://"), f"{lang}/{name}: not https: {link}"
    unsourced = sorted({link.split("#")[0] for link in article.external_links} - {link.split("#")[0] for link in article.source_links})
    assert unsourced == [], f"{lang}/{name}: links missing from the sources section: {unsourced}"
    # Each source carries its own check month, "(kontrollerad november 2026)"; for facts the hook writes
    # it, for other statements the author does. A page-level "Senast kontrollerad" line is not enough.
    unmarked = [item for item, links in zip(article.source_items, article.source_item_links) if links and not re.search(CHECK_MARK[lang], item)]
    assert unmarked == [], f"{lang}/{name}: sources without a check month {CHECK_MARK[lang]!r}: {unmarked}"


def test_check_mark_pattern_matches_generated_and_hand_written_items() -> None:
    assert re.search(CHECK_MARK["sv"], "Tullverket: Tull på småförsändelser (på engelska) (kontrollerad november 2026)")
    assert re.search(CHECK_MARK["en"], "Tullverket: Changes to low-value consignments (checked November 2026)")
    assert not re.search(CHECK_MARK["sv"], "Tullverket: Tull på småförsändelser")
    assert not re.search(CHECK_MARK["en"], "Last checked: November 2026.")


# ---------------------------------------------------------------- facts come from the facts file

# What a page must not state by hand: amounts in euro or kronor, percentages, dates and month-years.
# They come from snippets/facts.yml through `<!-- fact KEY -->`, so every page says the same and the
# sources list names where each one came from. The check marks "(kontrollerad november 2026)" /
# "(checked November 2026)" are the one place a month-year may stand by hand.
SV_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Norwegian and Danish month names not already in SV_MONTHS; Finnish ones in any case ("heinäkuuta").
NO_DA_MONTHS = "januar|februar|marts|mai|august|desember"
FI_MONTHS = r"(?:tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)kuu\w*"
CHECK_MARKS = r"\((?:kontrollerad|checked|kontrollert|kontrolleret|tarkistettu) [^()\d]+ \d{4}\)"
NUMBER = r"(?<![\w.,])\d(?:[\d\u00a0 .,]*\d)?"  # 3, 1 600, 1,600, 25,5 (not the 5 in "C3%A5")
HAND_WRITTEN_FACT = [
    re.compile(NUMBER + r"[\u00a0 ]?(?:euro|eur|€)(?![\w])", re.IGNORECASE),
    re.compile(r"(?:€|\bEUR)[\u00a0 ]?\d(?:[\d,.]*\d)?"),
    re.compile(NUMBER + r"[\u00a0 ]?(?:kr|kronor|kronorna|kroner|kronerne|SEK|NOK|DKK)(?![\w])"),
    re.compile(r"\b(?:SEK|NOK|DKK)[\u00a0 ]?\d(?:[\d,.]*\d)?"),
    re.compile(NUMBER + r"[\u00a0 ]?(?:%|procent\b|percent\b|per cent\b|prosent\b|prosenttia\b)"),
    re.compile(r"\b\d{1,2}\.\d{1,2}\.(?:\d{4})?(?!\d)"),  # 1.7.2026 or 1.7. (Finnish)
    re.compile(r"\b\d{1,2}\.?[\u00a0 ]+(?:%s|%s|%s)\b(?:[\u00a0 ]+\d{4}\b)?" % (SV_MONTHS, NO_DA_MONTHS, FI_MONTHS), re.IGNORECASE),  # den 1 juli (2026), 1. heinäkuuta
    re.compile(r"\b(?:%s|%s|%s)[\u00a0 ]+\d{4}\b" % (SV_MONTHS, NO_DA_MONTHS, FI_MONTHS), re.IGNORECASE),  # juli 2026, heinäkuussa 2026
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?[\u00a0 ]+(?:%s)\b(?:,?[\u00a0 ]+\d{4}\b)?" % EN_MONTHS),  # 1 July (2026)
    re.compile(r"\b(?:%s)[\u00a0 ]+\d{1,2}(?:st|nd|rd|th)?\b(?:,?[\u00a0 ]+\d{4}\b)?" % EN_MONTHS),  # July 1(, 2026)
    re.compile(r"\b(?:%s)[\u00a0 ]+\d{4}\b" % EN_MONTHS),  # July 2026
]
NOT_STATEMENTS = [
    re.compile(r"^(?P<fence>```|~~~).*?^(?P=fence)", re.DOTALL | re.MULTILINE),  # code blocks
    re.compile(r"`[^`\n]+`"),  # code spans
    re.compile(r"<!--.*?-->", re.DOTALL),  # shortcodes and other comments
    re.compile(r"\]\([^)\s]*\)|<https?://[^>]+>|https?://\S+"),  # link targets: a URL is not a statement
    re.compile(CHECK_MARKS),
]


SOURCES_SECTION = re.compile(r"^##[ \t].*\{[^}]*#sources\b[^}]*\}[ \t]*$.*?(?=^#{1,2}[ \t]|\Z)", re.DOTALL | re.MULTILINE)
LINK_TEXT = re.compile(r"\[[^\]\n]*\]\([^)\s]*\)")


def hand_written_facts(markdown: str) -> list[str]:
    """The amounts, percentages and dates a Markdown source states outside a fact shortcode. The
    titles of the pages in the sources section are names, not statements ("New rules from 1 July")."""
    markdown = SOURCES_SECTION.sub(lambda section: LINK_TEXT.sub(" ", section[0]), markdown)
    for pattern in NOT_STATEMENTS:
        markdown = pattern.sub(" ", markdown)
    found = []
    for pattern in HAND_WRITTEN_FACT:  # a full date first, so its month-year is not reported again
        found += [match[0] for match in pattern.finditer(markdown)]
        markdown = pattern.sub(lambda match: " " * len(match[0]), markdown)
    return found


def markdown_sources() -> list[Path]:
    """Every page's Markdown in every language, and the glossaries that are appended to each page."""
    pages = [DOCS / lang / name for lang in LANGUAGES for name in page_names()]
    return pages + [ROOT / "snippets" / f"glossary-{lang}.md" for lang in LANGUAGES]


def test_fact_gate_catches_hand_written_amounts_and_dates() -> None:
    stated_by_hand = {
        "Tullen är 3 euro per varuslag.": ["3 euro"],
        "The duty is €3 per item.": ["€3"],
        "Avgiften är 100 kr, eller 1 600 kronor.": ["100 kr", "1 600 kronor"],
        "PostNord charges SEK 175.": ["SEK 175"],
        "Momsen är 25 % och i Finland 25,5 procent.": ["25 %", "25,5 procent"],
        "VAT is 25%.": ["25%"],
        "Från den 1 juli 2026 gäller tullen, till den 1 juli.": ["1 juli 2026", "1 juli"],
        "It applies from 1 July 2026.": ["1 July 2026"],
        "Ministrarna enades i december 2025.": ["december 2025"],
        "It was adopted on February 11, 2026.": ["February 11, 2026"],
        "The ministers agreed in December 2025.": ["December 2025"],
        "Tollen er 3 euro, gebyret 199 kroner og MVA 25 prosent.": ["3 euro", "199 kroner", "25 prosent"],
        "Gebyret er 1.500 kr. fra 1. juli 2026.": ["1.500 kr", "1. juli 2026"],
        "Pakken koster 250 NOK eller DKK 160.": ["250 NOK", "DKK 160"],
        "Tulli on 3 € ja ALV 25,5 prosenttia 1.7.2026 alkaen.": ["3 €", "25,5 prosenttia", "1.7.2026"],
        "Muutos tuli voimaan 1. syyskuuta 2024 ja heinäkuussa 2026.": ["1. syyskuuta 2024", "heinäkuussa 2026"],
        "Senast kontrollerad: november 2026.": ["november 2026"],
        # Only the sources section's link titles are names; elsewhere a link text is a statement.
        "Läs [reglerna från 1 juli 2026](https://x.se/regler).": ["1 juli 2026"],
        "## Källor { #sources }\n\n- X: [Y](https://x.se) Gäller från 1 juli 2026.": ["1 juli 2026"],
    }
    for text, expected in stated_by_hand.items():
        assert hand_written_facts(text) == expected, text


def test_fact_gate_lets_shortcodes_marks_code_and_links_through() -> None:
    fine = [
        "Tullen är <!-- fact eu.duty.per_item --> per varuslag från <!-- fact eu.duty.start -->.",
        "- Tullverket: [Tull på små paket](https://www.tullverket.se/2026/07/01/3-euro-%C3%A5) (kontrollerad november 2026)",
        "- PostNord: [Common questions](https://www.postnord.se/en/x) (checked November 2026)",
        "- Posten: [Toll og avgifter](https://www.posten.no/x) (kontrollert november 2026)",
        "- Tulli: [Verkkokauppa](https://tulli.fi/x) (tarkistettu marraskuussa 2026)",
        "Tilausnumerossa on yleensä 16 numeroa, ja se alkaa usein 30 tai 8.",
        "## Källor { #sources }\n\n- CLECAT: [Nya regler från 1 juli 2021](https://www.clecat.org/x) (kontrollerad november 2026)",
        "Skriv `3 euro` i kod, men aldrig i löptext.\n\n```\n1 juli 2026\n```",
        "Numret har oftast 16 siffror och börjar ofta med 30 eller 8.",
        "Maj Andersson och June Carter äger 2 katter.",
    ]
    for text in fine:
        assert hand_written_facts(text) == [], text


@pytest.mark.parametrize("path", markdown_sources(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_pages_state_no_fact_by_hand(path: Path) -> None:
    found = hand_written_facts(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: use <!-- fact KEY --> from snippets/facts.yml for {found}"
