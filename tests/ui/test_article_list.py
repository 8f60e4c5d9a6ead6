"""Pilot tests of the sidebar on its own: rows drawn, keys, clicks, tags, wide characters."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.pilot import Pilot
from textual.widgets import Input

from reader.library import Article
from reader.ui.widgets.article_list import ArticleList

STYLES = Path(__file__).resolve().parent.parent.parent / "styles" / "app.tcss"


def article(number: int, title: str | None = None, words: int = 1234) -> Article:
    """An article the sidebar can list (its text is never read)."""
    sha = hashlib.sha256(str(number).encode()).hexdigest()
    return Article(Path(f"/lib/{number:05}.txt"), title or f"Title {number}", "", sha, words)


class Host(App[None]):
    """The sidebar alone (and something else to focus), styled by reader's stylesheet."""

    CSS_PATH = STYLES

    def __init__(self, articles: list[Article], tags: dict[str, list[str]] | None = None) -> None:
        super().__init__()
        self.articles = articles
        self.tags = tags or {}
        self.chosen: list[ArticleList.Selected] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):  # as the main screen has it: its width is the list's
                yield ArticleList(id="articles")
            yield Input(id="elsewhere")

    def on_mount(self) -> None:
        sidebar = self.query_one(ArticleList)
        sidebar.set_articles(self.articles, self.tags)
        sidebar.focus()

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        self.chosen.append(message)


@contextlib.asynccontextmanager
async def hosted(
    articles: list[Article], tags: dict[str, list[str]] | None = None
) -> AsyncIterator[tuple[Host, Pilot[None], ArticleList]]:
    """:class:`Host` of *articles* under Pilot (80 x 20), mounted: it, the pilot, the list."""
    app = Host(articles, tags)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        yield app, pilot, app.query_one(ArticleList)


def line_text(sidebar: ArticleList, y: int) -> str:
    """The text drawn on the sidebar's content line *y* (on screen, not virtual)."""
    return sidebar.render_line(y).text


def on_screen(sidebar: ArticleList, index: int) -> bool:
    """Whether every line of row *index* is inside the visible part of the list."""
    region = sidebar.row_region(index)
    top = int(sidebar.scroll_offset.y)
    return top <= region.y and region.bottom <= top + sidebar.scrollable_content_region.height


async def test_rows_show_title_meta_and_tags_as_plain_text() -> None:
    articles = [article(0, words=1234), article(1), article(2)]
    tags = {articles[0].sha256: ["news", "[bold]x[/]"]}
    async with hosted(articles, tags) as (_app, _pilot, sidebar):
        assert line_text(sidebar, 0).startswith("Title 0")
        assert line_text(sidebar, 1).startswith("00000.txt · 1,234 words · 5 min")
        assert line_text(sidebar, 2).startswith("#news #[bold]x[/]")  # markup shown literally
        assert line_text(sidebar, 3).startswith("Title 1")  # an untagged row is two lines
        assert line_text(sidebar, 5).startswith("Title 2")
        # Row 1 is not highlighted (the highlight's own style is bold): bold title, dim meta.
        tag_line, title, meta = (sidebar.render_line(y) for y in (2, 3, 4))
        assert all(s.style and s.style.italic for s in tag_line if s.text.strip())
        assert all(s.style and s.style.bold for s in title if s.text.strip())
        assert all(s.style and not s.style.bold for s in meta if s.text.strip())
        assert all(s.style and s.style.dim for s in meta if s.text.strip())
        assert sidebar.articles == articles and sidebar.row_count == 3


async def test_keys_move_the_highlight_and_keep_it_on_screen() -> None:
    articles = [article(n) for n in range(2000)]
    async with hosted(articles, {articles[1500].sha256: ["tagged"]}) as (app, pilot, sidebar):
        assert sidebar.highlighted == 0 and sidebar.scroll_offset.y == 0
        await pilot.press("G")
        assert sidebar.highlighted == 1999
        assert on_screen(sidebar, 1999) and sidebar.scroll_offset.y > 3000
        await pilot.pause()
        assert any("Title 1999" in line_text(sidebar, y) for y in range(18))
        await pilot.press("k", "k")
        assert sidebar.highlighted == 1997 and on_screen(sidebar, 1997)
        await pilot.press("g")
        assert sidebar.highlighted == 0 and sidebar.scroll_offset.y == 0
        await pilot.press("j", "j", "down")
        assert sidebar.highlighted == 3
        await pilot.press("pagedown")
        assert sidebar.highlighted == 3 + 18 // 2 and on_screen(sidebar, sidebar.highlighted)
        sidebar.highlighted = 1500  # the tagged row: three lines, all of them shown
        await pilot.pause()
        assert sidebar.row_region(1500).height == 3 and on_screen(sidebar, 1500)
        await pilot.press("enter")
        assert [(m.option_index, m.article) for m in app.chosen] == [(1500, articles[1500])]


async def test_clicking_a_rows_second_line_chooses_that_row() -> None:
    articles = [article(n) for n in range(5)]
    async with hosted(articles, {articles[0].sha256: ["long"]}) as (app, pilot, sidebar):
        # Row 0 has three lines (tagged), so row 1 is lines 3 and 4; 4 is its meta line.
        assert line_text(sidebar, 4).startswith("00001.txt")
        await pilot.click(ArticleList, offset=(5, 4 + sidebar.gutter.top))
        assert sidebar.highlighted == 1
        assert [(m.option_index, m.article) for m in app.chosen] == [(1, articles[1])]


async def test_tagging_one_article_makes_its_row_taller_and_moves_the_rest_down() -> None:
    articles = [article(n) for n in range(4)]
    async with hosted(articles) as (_app, pilot, sidebar):
        assert line_text(sidebar, 4).startswith("Title 2")
        sidebar.set_tags(articles[1].id, ["politics", "eu"])
        await pilot.pause()
        assert line_text(sidebar, 4).startswith("#politics #eu")
        assert line_text(sidebar, 5).startswith("Title 2")
        assert sidebar.virtual_size.height == 9
        sidebar.set_all_tags({})  # untagged again: back to two lines
        await pilot.pause()
        assert line_text(sidebar, 4).startswith("Title 2")
        assert sidebar.virtual_size.height == 8


async def test_wide_titles_are_cut_by_cell_width() -> None:
    # Fewer characters than the list has cells, but twice as many cells: cut all the same.
    wide = "北京の記者会見で首相が新しい経済政策を発表🎉"
    articles = [article(0, title=wide), article(1, title="x" * 80), article(2, title=wide * 3)]
    async with hosted(articles) as (app, _pilot, sidebar):
        width = sidebar.scrollable_content_region.width
        assert len(wide) < width < cell_len(wide)
        for y in (0, 2, 4):
            strip = sidebar.render_line(y)
            assert strip.cell_length == width
            text = strip.text.rstrip()
            assert text.endswith("…") and cell_len(text) <= width
        assert sidebar.render_line(0).text.startswith("北京の記者会見")
        # On screen, the sidebar's right border stays in its column on every row.
        screen = app.screen._compositor.render_strips()
        rows = [strip.text for strip in screen[:6]]
        columns = {cell_len(text[: text.rindex("│")]) for text in rows[1:5]}
        assert columns == {37}, rows


async def test_a_shorter_list_replaces_a_scrolled_one_from_the_top() -> None:
    articles = [article(n) for n in range(50)]
    async with hosted(articles) as (_app, pilot, sidebar):
        await pilot.press("G")
        assert sidebar.highlighted == 49 and sidebar.scroll_offset.y > 0
        sidebar.set_articles(articles[:3])
        await pilot.pause()
        assert sidebar.highlighted == 0 and sidebar.scroll_offset.y == 0
        assert line_text(sidebar, 0).startswith("Title 0")


async def test_moving_the_focus_redraws_only_the_highlighted_row() -> None:
    articles = [article(n) for n in range(40)]
    async with hosted(articles) as (app, pilot, sidebar):
        drawn: list[int] = []
        render_row_line = sidebar.render_row_line

        def counting(index, part, style, width):  # type: ignore[no-untyped-def]
            drawn.append(index)
            return render_row_line(index, part, style, width)

        sidebar.render_row_line = counting  # type: ignore[method-assign]
        for _ in range(2):
            app.query_one(Input).focus()  # the article gets the focus on every switch
            await pilot.pause()
            sidebar.focus()
            await pilot.pause()
        assert drawn and set(drawn) == {0}, drawn  # the highlight changes colour, no other row


async def test_a_narrow_sidebar_keeps_the_file_name_and_drops_the_reading_time() -> None:
    articles = [article(0, words=452), article(1, words=12_345)]
    app = Host(articles)
    async with app.run_test(size=(80, 20)) as pilot:
        sidebar = app.query_one(ArticleList)
        sidebar.styles.width = 26  # the sidebar under 110 columns
        await pilot.pause()
        assert sidebar.scrollable_content_region.width == 20
        meta = [line_text(sidebar, y).rstrip() for y in (1, 3)]
        # 20 cells: the whole file name, then what of the counts fits.
        assert meta == ["00000.txt", "00001.txt"], meta
        sidebar.styles.width = 38  # the usual sidebar: everything
        await pilot.pause()
        assert line_text(sidebar, 1).rstrip() == "00000.txt · 452 words · 2 min"


async def test_the_hover_tint_goes_when_the_list_scrolls_under_the_pointer() -> None:
    articles = [article(n) for n in range(100)]
    app = Host(articles)
    async with app.run_test(size=(80, 20)) as pilot:
        sidebar = app.query_one(ArticleList)
        await pilot.hover(ArticleList, offset=(5, 5 + sidebar.gutter.top))
        await pilot.pause()
        assert sidebar._hover == 2
        sidebar.scroll_to(y=40, animate=False, immediate=True)
        await pilot.pause()
        assert sidebar._hover is None


async def test_a_saved_page_not_yet_read_shows_no_counts(tmp_path: Path) -> None:
    """A saved page is listed before it is extracted: its word count is 0 until then, so
    the row says none ("0 words · 1 min" was wrong), and the counts once it is read."""
    page = tmp_path / "harbour.html"
    body = "".join(
        f"<p>The harbour reopened on Monday after the storm, and boat {n} went out.</p>"
        for n in range(12)
    )
    page.write_text(
        f"<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{body}"
        "</article></body></html>",
        encoding="utf-8",
    )
    saved = Article.deferred_page(page, "Harbour", page.read_bytes())
    async with hosted([saved, article(1)]) as (_app, pilot, sidebar):
        assert line_text(sidebar, 1).rstrip() == "harbour.html"
        assert saved.text and not saved.deferred  # read (as opening it does)
        sidebar.redraw_rows()  # as the screen does then
        await pilot.pause()
        assert line_text(sidebar, 1).rstrip() == f"harbour.html · {saved.word_count} words · 1 min"
