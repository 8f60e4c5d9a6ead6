"""Pilot test: the article header shows the title and the folder, and the sidebar names
the folder of articles whose title is repeated in another folder."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from reader.ui.app import build_app
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready

SIZE = (140, 40)


def library(root: Path) -> Path:
    for folder, body in (("politics", "Politics body."), ("tech", "Tech body.")):
        (root / folder).mkdir(parents=True)
        (root / folder / "001.txt").write_text(f"Budget talks\n\n{body}\n", encoding="utf-8")
    (root / "tech" / "002.txt").write_text("A unique title\n\nText.\n", encoding="utf-8")
    return root


def sidebar(list_: ArticleList) -> list[str]:
    return [list_.render_line(y).text.strip(" │") for y in range(list_.size.height)]


async def test_header_and_sidebar_say_which_folder(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(library(tmp_path / "lib"), model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        header = str(main.query_one("#article-header", Static).render())
        assert main.article is not None
        assert header.splitlines()[0] == "Budget talks"
        assert header.splitlines()[1].startswith("politics/001.txt · 4 words")
        lines = sidebar(main.query_one(ArticleList))
        assert any(line.startswith("politics/001.txt ·") for line in lines), lines
        assert any(line.startswith("tech/001.txt ·") for line in lines), lines
        assert any(line.startswith("002.txt ·") for line in lines), lines  # its own title
