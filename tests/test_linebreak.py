"""The line breaker: kinsoku rules, whole Latin words, cut long words, ellipsis."""

import random
import unicodedata

import pytest

from share.cards.linebreak import CLOSING, ELLIPSIS, OPENING, wrap


def cells(text):
    """Width in terminal cells: wide CJK counts 2, everything else 1 (a font-free measure)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理"
)
CLOSERS = "，。、！？：；）」》…"
OPENERS = "（「《“"
WORDS = ["WeChat", "QR", "Python", "ScanShare", "2024", "API", "open-source", "card"]


def random_text(rng):
    """Chinese with punctuation and Latin words mixed in, as a headline would be."""
    parts = []
    for _ in range(rng.randint(5, 40)):
        r = rng.random()
        if r < 0.6:
            parts.append("".join(rng.choice(HANZI) for _ in range(rng.randint(1, 6))))
        elif r < 0.75:
            parts.append(rng.choice(CLOSERS) * rng.choice([1, 1, 1, 2]))
        elif r < 0.85:
            parts.append(rng.choice(OPENERS) + rng.choice(HANZI))
        else:
            parts.append(f" {rng.choice(WORDS)} ")
    text = "".join(parts).strip()
    while text and (text[0] in CLOSING or text[-1] in OPENING):
        text = text.strip("".join(CLOSING) + "".join(OPENING))
    return text


@pytest.mark.parametrize("seed", range(40))
def test_closing_punctuation_never_starts_and_opening_never_ends_a_line(seed):
    rng = random.Random(seed)
    for _ in range(25):
        text = random_text(rng)
        width = rng.randint(10, 40)
        lines = wrap(text, width, cells)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for i, line in enumerate(lines):
            assert cells(line) <= width, (line, width)
            if i > 0:
                assert line[0] not in CLOSING, (text, width, lines)
            if i < len(lines) - 1:
                assert line[-1] not in OPENING, (text, width, lines)


def test_latin_words_stay_whole():
    lines = wrap("Scan the code with WeChat to share this article", 12, len)
    assert lines == ["Scan the", "code with", "WeChat to", "share this", "article"]


def test_over_long_word_is_broken_not_overflowing():
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    lines = wrap(word, 20, len)
    assert all(len(line) <= 20 for line in lines)
    assert "".join(lines) == word


def test_cut_text_ends_with_ellipsis_within_width():
    lines = wrap("中" * 200, 20, cells, max_lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith(ELLIPSIS)
    assert all(cells(line) <= 20 for line in lines)


def test_ellipsis_does_not_follow_a_comma():
    lines = wrap("一二三四五六七八九，" + "十" * 30, 20, cells, max_lines=1)
    assert lines == ["一二三四五六七八九" + ELLIPSIS]


def test_text_that_fits_has_no_ellipsis():
    assert wrap("短标题。", 20, cells, max_lines=3) == ["短标题。"]


def test_double_dash_and_ellipsis_are_not_split():
    text = "一二三四五六七八——九十" + "百千……万"
    for width in range(4, 30):
        lines = wrap(text, width, cells)
        for before, after in zip(lines, lines[1:]):
            assert not (before.endswith("—") and after.startswith("—")), lines
            assert not after.startswith("…"), lines


def test_punctuation_only_text_wider_than_the_line_does_not_hang():
    lines = wrap("。" * 50, 10, cells)
    assert "".join(lines) == "。" * 50


def test_empty_and_blank_text_give_no_lines():
    assert wrap("", 10, len) == []
    assert wrap("   ", 10, len) == []
