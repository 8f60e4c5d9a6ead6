"""The one place untrusted text (articles, file names, tags, notes) is sanitised for display.

Everything shown on screen or used for entity offsets goes through :func:`sanitize` once.
Offsets everywhere in reader are code-point offsets into the string it returns.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_newlines", "sanitize", "sanitize_line"]

# Terminal escape sequences, in the order a terminal would parse them (ECMA-48):
#   CSI  ESC [ params intermediates final     (colours, cursor moves, ...)
#   OSC  ESC ] ... BEL | ESC \                (titles, OSC 8 links, OSC 52 clipboard)
#   DCS/SOS/PM/APC  ESC P|X|^|_ ... ESC \     (device control strings)
#   two-byte escapes  ESC + one byte          (ESC c reset, ESC 7, ...)
# The same introducers exist as 8-bit C1 controls (U+009B CSI, U+009D OSC, ...).
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?          # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                      # OSC, DCS, SOS, PM, APC
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?                    #   ... up to BEL / ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                                 # other ESC sequences
    """,
    re.VERBOSE,
)

# Single characters that must never reach the terminal: C0 controls except tab and
# newline, DEL, C1 controls, and the bidi embedding/override/isolate controls that
# can make text display in an order other than the one it is stored in.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


# Lone surrogates (from file names that are not UTF-8, via os.fsdecode) are not text:
# a terminal cannot draw them and Rich measures them wrong.
_SURROGATE = re.compile("[\ud800-\udfff]")

# Every character any step of :func:`sanitize` before NFC acts on: what a newline becomes,
# what starts an escape sequence (ESC, the C1 introducers), the forbidden ones and lone
# surrogates. Text without any (nearly all of it) skips those steps: one scan, not five.
_ACTED_ON = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def normalize_newlines(text: str) -> str:
    """Return *text* with CRLF, CR and the Unicode line/paragraph separators as ``\\n``."""
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
        .replace("\x85", "\n")
    )


def sanitize(text: str) -> str:
    """Return *text* safe to display: newlines normalised, control sequences removed.

    Removes ESC/CSI/OSC/DCS sequences (7- and 8-bit), C0 controls other than tab
    and newline, DEL, C1 controls, NUL, byte-order marks and bidi overrides; a lone
    surrogate becomes U+FFFD. Text
    is NFC-normalised so that offsets match what a terminal draws. Markup is left
    alone: callers never parse the result as markup (see STYLE.md).
    """
    if _ACTED_ON.search(text) is None:
        return unicodedata.normalize("NFC", text)
    text = normalize_newlines(text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _FORBIDDEN.sub("", text)
    text = _SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def sanitize_line(text: str, limit: int = 200) -> str:
    """Return *text* sanitised onto one line (titles, tags, file names), cut at *limit*."""
    line = " ".join(sanitize(text).split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return line
