"""BackgroundEntities._turn and _next (reader.ui.background) without the app: the
article in the pass's hands is left once the user opens it (by id: a live reload
replaces the article objects)."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reader.library import Article, read_article
from reader.ui import background
from reader.ui.background import BackgroundEntities, _Taken


def article(path: Path) -> Article:
    read = read_article(path)
    assert isinstance(read, Article)
    return read


def make_pass(shown: list[Article | None]) -> BackgroundEntities:
    app: Any = SimpleNamespace(
        last_input=time.monotonic() - 3600.0,
        finder=SimpleNamespace(cache=None, pipeline=None),
        settings=SimpleNamespace(background_entities=True),
    )
    return BackgroundEntities(
        app,
        screen=None,  # type: ignore[arg-type]
        articles=None,  # type: ignore[arg-type]
        shown=lambda: shown[0],
        settled=lambda: True,
        found=lambda *_: None,
    )


def test_the_pass_leaves_an_article_the_user_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "REST_SECONDS", 0.0)
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nAngela Merkel visited Paris.\n", encoding="utf-8")
    in_hand = article(path)
    shown: list[Article | None] = [None]
    bg = make_pass(shown)
    bg._current = (in_hand, in_hand.sha256)
    bg._turn()  # nobody has it: the pass goes on
    shown[0] = article(path)  # opened: another object of the same article (a reload)
    with pytest.raises(_Taken):
        bg._turn()
