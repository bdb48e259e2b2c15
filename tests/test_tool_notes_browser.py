"""The tool shows the extractor's notes that matter to a reader, and how many
numbers were not listed, in the reader's language (issues 10 and 13).

Only the rendering of notes and counts is tested here; the tool's other
behaviour is in tests/test_tool_browser.py, whose helpers this file uses.
"""

from __future__ import annotations

import pytest

from conftest import describe_violations
from test_tool_browser import open_tool, paste, shown

# What the reader should read, written by hand from the strings files' intent.
NOT_SHOWN = {"sv": "2 900 nummer visas inte", "en": "Not shown: 2,900"}
SPLIT = {"sv": "delat över två rader", "en": "split over two lines"}
BIDI = {"sv": "vända på siffrornas ordning", "en": "reverse the order of the digits"}
MANY_ORDERS = "AliExpress\n" + "".join(f"Order ID: 8{i:015d}\n" for i in range(3000))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_notes_and_the_count_of_numbers_not_shown(open_page, axe_violations, lang: str) -> None:
    watched = open_tool(open_page, lang, permissions=["clipboard-read", "clipboard-write"])
    page = watched.page

    assert paste(page, MANY_ORDERS) == "done"
    assert len(shown(page, "order-number")) == 100  # a hundred cards, not three thousand
    assert NOT_SHOWN[lang] in page.inner_text('[data-testid="not-shown"]').replace("\u00a0", " ")

    assert paste(page, "AliExpress\nOrder ID: 81234567\n89012345\n") == "done"
    assert shown(page, "order-number") == ["8123456789012345"]
    assert SPLIT[lang] in page.inner_text('[data-testid="notes"]')
    assert page.locator('[data-testid="not-shown"]').count() == 0
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    assert paste(page, "Order ID: \u202e5432109876543218\u202c") == "done"
    assert BIDI[lang] in page.inner_text('[data-testid="notes"]')

    # A plain mail has no notes at all: technical notes (html, raw_email) stay out.
    assert paste(page, "<p>AliExpress</p><p>Order ID: 8123456789012345</p>") == "done"
    assert page.locator('[data-testid="notes"]').count() == 0
