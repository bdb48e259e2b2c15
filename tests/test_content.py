"""Quality gates for the guide's prose, read from the built pages:

* spelling: hunspell knows every word (plus a small reviewed word list per language);
* readability: LIX <= 40 on Swedish pages, mean sentence length <= 15 words in both languages;
* parity: every translation has the same heading IDs, figures and numbered steps;
* links: external links use https and are listed in the page's sources, with a "last checked" month.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DEFAULT_LANGUAGE, LANGUAGES, ROOT, built_html, page_names

HUNSPELL_DICTS = {"sv": "sv_SE", "en": "en_US"}
LAST_CHECKED = {"sv": "Senast kontrollerad", "en": "Last checked"}
MAX_LIX = 40
MAX_MEAN_SENTENCE = 15

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
        if tag in ("strong", "b"):
            self.strong += 1
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

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag in BLOCK_TAGS:
            self._flush()
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
        if self.strong:
            self.article.bold.append(data)
            self.block.append(" ")  # a label is a name, not part of the sentence's wording
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


def mean_sentence_length(blocks: list[str]) -> float:
    split = sentences(blocks)
    return sum(len(s) for s in split) / len(split)


def test_lix_counts_like_the_formula() -> None:
    # 2 sentences, 10 words, 2 words longer than 6 letters: 10/2 + 100*2/10 = 25.
    blocks = ["Jag har köpt en tröja.", "Ordernumret finns i mejlet från AliExpress."]
    assert sentences(blocks) == [["Jag", "har", "köpt", "en", "tröja"], ["Ordernumret", "finns", "i", "mejlet", "från", "AliExpress"]]
    assert lix(["Det var en gång en katt. Katten hette Måns."]) == pytest.approx(9 / 2 + 0)
    assert lix(["Ordernumret finns i beställningsbekräftelsen."]) == pytest.approx(4 / 1 + 100 * 2 / 4)


@pytest.mark.parametrize("name", page_names())
def test_swedish_pages_are_easy_to_read(name: str) -> None:
    article = read_article(name, "sv")
    score = lix(article.prose)
    assert score <= MAX_LIX, f"sv/{name}: LIX {score:.1f} > {MAX_LIX}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", page_names())
def test_sentences_are_short(name: str, lang: str) -> None:
    mean = mean_sentence_length(read_article(name, lang).prose)
    assert mean <= MAX_MEAN_SENTENCE, f"{lang}/{name}: {mean:.1f} words per sentence"


# ---------------------------------------------------------------- spelling


def hunspell_unknown(words: list[str], dictionaries: str, wordlist: Path) -> list[str]:
    if shutil.which("hunspell") is None:
        if os.environ.get("CI"):
            pytest.fail("hunspell is missing: `make test` installs it with apt")
        pytest.skip("hunspell is not installed (make test installs it as root)")
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
    unknown = hunspell_unknown(words, HUNSPELL_DICTS[lang], wordlist(lang))
    assert unknown == [], f"{lang}/{name}: unknown words {unknown}"
    # Bold text names what is on the reader's screen, and AliExpress shows it in English.
    labels = WORD.findall(" ".join(article.bold))
    unknown = hunspell_unknown(labels, f"{HUNSPELL_DICTS[lang]},en_US", wordlist(lang))
    assert unknown == [], f"{lang}/{name}: unknown words in labels {unknown}"


def test_spelling_gate_catches_a_typo() -> None:
    assert hunspell_unknown(["ordernummret", "mejlet"], "sv_SE", wordlist("sv")) == ["ordernummret"]


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
    if article.source_links:
        assert LAST_CHECKED[lang] in article.sources_text, f"{lang}/{name}: sources need '{LAST_CHECKED[lang]}'"
