"""text.sanitize: no control sequence survives, text and newlines do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.text import sanitize, sanitize_line

FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\t\n"} | {chr(0x7F)}
FORBIDDEN |= {chr(c) for c in range(0x80, 0xA0)}
FORBIDDEN |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[2J\x1b[Hclear", "clear"),
        ("a\x1b]52;c;ZXZpbA==\x07b", "ab"),  # OSC 52 clipboard write
        ("a\x1b]52;c;ZXZpbA==\x1b\\b", "ab"),
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 link
        ("\x1b]0;new title\x07x", "x"),  # window title
        ("\x1bP+q544e\x1b\\x", "x"),  # DCS
        ("\x9b31mx", "x"),  # 8-bit CSI
        ("\x9d0;title\x9cx", "x"),  # 8-bit OSC
        ("a\x00b\x07c\x08d\x7fe", "abcde"),
        ("\u202egnp.exe\u202c", "gnp.exe"),  # bidi override
        ("\u2066x\u2069", "x"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("tab\tkept\nnewline kept", "tab\tkept\nnewline kept"),
        ("\x1bc reset", " reset"),
        ("[@click=app.quit]x[/] [bold red]y", "[@click=app.quit]x[/] [bold red]y"),
    ],
)
def test_sanitize(raw: str, expected: str) -> None:
    assert sanitize(raw) == expected


@given(st.text())
def test_no_forbidden_character_survives(raw: str) -> None:
    cleaned = sanitize(raw)
    assert not FORBIDDEN & set(cleaned)
    assert "\x1b" not in cleaned and "\r" not in cleaned


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_ordinary_text_is_unchanged_but_for_nfc(raw: str) -> None:
    import unicodedata

    assert sanitize(raw) == unicodedata.normalize("NFC", raw)


def test_sanitize_line_folds_and_cuts() -> None:
    assert sanitize_line("a\n b\t\tc") == "a b c"
    assert sanitize_line("x" * 300, limit=10) == "x" * 9 + "…"


def _sanitize_every_step(text: str) -> str:
    """sanitize as it was before its fast path: every step on every text."""
    import unicodedata

    from reader import text as module

    text = module.normalize_newlines(text)
    text = module._ESCAPE_SEQUENCE.sub("", text)
    text = module._FORBIDDEN.sub("", text)
    text = module._SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


_ACTED_ON = sorted(FORBIDDEN | {"\r", "\u2028", "\u2029", "\ufeff", chr(0xD800), chr(0xDFFF)})


@pytest.mark.parametrize("char", _ACTED_ON)
def test_the_fast_path_misses_no_character_the_steps_act_on(char: str) -> None:
    # Text with none of the characters the steps act on skips them (the search index
    # sanitises 10,000 articles on a build): the result must be the same either way.
    for raw in (char, f"one {char}[31m two", f"e\u0301{char}"):
        assert sanitize(raw) == _sanitize_every_step(raw)


@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from([*_ACTED_ON, "\x1b", "[", "]", "\\", "\n", "3", "m", ";", "e"]),
            st.sampled_from(["\u0301", "\u00e9", "\t", " "]),
            st.characters(),
        ),
        max_size=40,
    )
)
def test_the_fast_path_gives_what_every_step_gives(raw: str) -> None:
    assert sanitize(raw) == _sanitize_every_step(raw)
