"""No widowed last line ("说。") on real Chinese headlines, with every kinsoku rule kept.

The corpus is tests/data/headlines_zh.txt. For each headline and width, an
independent oracle (dynamic programming over every break the rules allow)
says whether the greedy line count admits a last line of at least three
characters; when it does, the breaker must deliver one.
"""

from functools import lru_cache
from pathlib import Path

import pytest
from test_linebreak import cells

from share.cards import LAYOUTS, fonts
from share.cards.linebreak import CLOSING, MIN_LAST_LINE, OPENING, units, wrap

CORPUS = Path(__file__).parent / "data" / "headlines_zh.txt"
HEADLINES = [
    line.strip()
    for line in CORPUS.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def visible(text):
    return len(text.replace(" ", ""))


def fits(pieces, measure, width):
    """The breaker's own definition of a line's width: the pieces plus the spaces between."""
    total = sum(measure(p.text) for p in pieces)
    return total + sum(measure(p.space) for p in pieces[:-1] if p.space) <= width


def achievable(text, measure, width, lines):
    """Can ``text`` be set in ``lines`` lines that fit, the last holding >= 3 characters?"""
    pieces = units(text)
    n = len(pieces)
    # can[k] = set of i such that pieces[:i] can be set in exactly k fitting lines
    can = [{0}]
    for _ in range(lines - 1):
        nxt = set()
        for i in can[-1]:
            for j in range(i + 1, n + 1):
                if not fits(pieces[i:j], measure, width):
                    break
                nxt.add(j)
        can.append(nxt)
    for start in can[lines - 1]:
        rest = pieces[start:]
        long_enough = sum(visible(p.text) for p in rest) >= MIN_LAST_LINE
        if rest and long_enough and fits(rest, measure, width):
            return True
    return False


def check(text, measure, width):
    """Assert the rules on one setting; return (greedy last line was short, now fixed)."""
    greedy = wrap(text, width, measure, min_last=0)
    lines = wrap(text, width, measure)
    assert len(lines) == len(greedy), "rebalancing must never add a line"
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for i, line in enumerate(lines):
        assert measure(line) <= width + 1, (line, width)
        if i > 0:
            assert line[0] not in CLOSING, (text, width, lines)
        if i < len(lines) - 1:
            assert line[-1] not in OPENING, (text, width, lines)
        if i > 0:
            assert not (lines[i - 1].endswith("—") and line.startswith("—")), lines
    if len(lines) > 1 and achievable(text, measure, width, len(lines)):
        assert visible(lines[-1]) >= MIN_LAST_LINE, (text, width, lines)
    return len(greedy) > 1 and visible(greedy[-1]) < MIN_LAST_LINE


def test_the_corpus_is_real_and_varied():
    assert len(HEADLINES) >= 30
    assert any(any(c.isascii() and c.isalpha() for c in h) for h in HEADLINES)
    assert any(any(c.isdigit() for c in h) for h in HEADLINES)
    assert any("“" in h or "《" in h for h in HEADLINES)
    assert min(map(len, HEADLINES)) <= 4 and max(map(len, HEADLINES)) >= 30


def test_font_free_widths_leave_no_widow_when_one_can_be_avoided():
    fixed = 0
    for text in HEADLINES:
        for width in range(8, 61):
            fixed += check(text, cells, width)
    assert fixed > 20  # the corpus does produce widows for greedy filling


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_card_title_font_and_widths(layout):
    style = LAYOUTS[layout].title
    measure = lru_cache(maxsize=None)(fonts.face(style.size, "zh", style.bold).getlength)
    column = LAYOUTS[layout].text.w
    fixed = 0
    for text in HEADLINES:
        for width in (column, column * 0.75, column * 0.6, column * 0.45):
            fixed += check(fonts.drawable(text), measure, width)
    assert fixed > 0


def test_the_said_example_no_longer_ends_on_two_characters():
    text = "习近平在中央经济工作会议上发表重要讲话，他说。"
    widths = [w for w in range(8, 50) if wrap(text, w, cells, min_last=0)[-1] == "说。"]
    assert widths, "the example must produce the widow greedily"
    for width in widths:
        lines = wrap(text, width, cells)
        assert visible(lines[-1]) >= MIN_LAST_LINE, lines
        assert len(lines) == len(wrap(text, width, cells, min_last=0))


def test_cut_titles_are_not_rebalanced_and_end_with_an_ellipsis():
    lines = wrap("中" * 200, 20, cells, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")


def test_latin_last_word_is_joined_by_the_word_before():
    text = "Editors share this article on WeChat with a QR code to scan it"
    widths = [w for w in range(10, 40) if wrap(text, w, len, min_last=0)[-1] == "it"]
    assert widths
    for width in widths:
        assert wrap(text, width, len)[-1].endswith(" it")
