"""Pilot tests of every reading key, with the real app and the real spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

from reader.entities.span import Span
from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.legend import Legend

from .conftest import ready, settle, started

SIZE = (120, 40)


def screen_text(app: ReaderApp) -> str:
    """Everything on screen as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def two_articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "First article about Berlin\n\n" + "Angela Merkel spoke in Berlin on Monday. " * 60,
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        "# Second article\n\nEmmanuel Macron visited Paris with Olaf Scholz.\n", encoding="utf-8"
    )
    return folder


async def test_first_frame_shows_the_seed_article_then_its_entities(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (app, _pilot, main):
        view = main.query_one(ArticleView)
        assert main.article is not None
        assert main.article.title.startswith("Russia Will Give Pakistan")
        assert view.text.startswith("Russia Will Give Pakistan")
        people = {s.text for s in view.spans if s.label == "PERSON"}
        assert {"Sergey Lavrov", "Shah Mahmood Qureshi", "Qamar Javed Bajwa"} <= people
        text = screen_text(app)
        assert "held bilateral" in text, text
        assert "PERSON" in text  # legend and entity panel
        assert main.query_one(ArticleList).has_focus


async def test_entity_highlights_use_the_label_colours(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, _pilot, main):
        view = main.query_one(ArticleView)
        person = view.colours.label_style("PERSON")
        gpe = view.colours.label_style("GPE")
        assert person.bgcolor is not None and gpe.bgcolor is not None
        assert person.bgcolor != gpe.bgcolor
        strip = view.render_line(0)
        expected = (view.rich_style + gpe).bgcolor
        drawn = [seg.style.bgcolor for seg in strip if seg.text == "Russia"]
        assert drawn == [expected], "the first word, Russia, is drawn in the GPE colour"
        # A line with no entity is drawn in the view's own colours, like the rest.
        body = view.text.index("\n\n")  # after the title (drawn in the heading colour)
        y = next(
            y
            for y, line in enumerate(view._lines[: view.size.height])
            if line.start > body
            and line.end > line.start
            and not any(s.start < line.end and s.end > line.start for s in view.spans)
        )
        plain = view.render_line(y)
        assert {seg.style.color for seg in plain if seg.text.strip()} == {view.rich_style.color}


async def test_list_keys_move_and_enter_opens(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(two_articles(tmp_path)), SIZE) as (_app, pilot, main):
        articles = main.query_one(ArticleList)
        assert main.article is not None and main.article.title == "First article about Berlin"
        assert articles.highlighted == 0
        await pilot.press("j")
        assert articles.highlighted == 1
        await pilot.press("k")
        assert articles.highlighted == 0
        await pilot.press("down")
        assert articles.highlighted == 1
        await pilot.press("up", "G")
        assert articles.highlighted == 1
        await pilot.press("g")
        assert articles.highlighted == 0
        await pilot.press("G", "enter")
        await ready(pilot)
        assert main.article.title == "Second article"
        assert main.query_one(ArticleView).has_focus
        assert any(s.text == "Emmanuel Macron" for s in main.query_one(ArticleView).spans)


async def test_article_keys_scroll_and_page(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(two_articles(tmp_path)), SIZE) as (_app, pilot, main):
        await pilot.press("enter")  # the long article, first in the list
        await ready(pilot)
        view = main.query_one(ArticleView)
        assert view.has_focus and view.scroll_y == 0
        await pilot.press("j")
        assert view.scroll_y == 1
        await pilot.press("down", "down")
        assert view.scroll_y == 3
        await pilot.press("k")
        assert view.scroll_y == 2
        await pilot.press("up")
        assert view.scroll_y == 1
        await pilot.press("space")
        paged = view.scroll_y
        assert paged > 10
        await pilot.press("b")
        assert view.scroll_y < paged
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0


async def test_e_and_E_walk_the_entities_and_mark_the_current_one(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        view = main.query_one(ArticleView)
        view.focus()
        await pilot.press("e")
        first = view.current_span
        assert first is not None and first == view.spans[0]
        await pilot.press("e", "e")
        third = view.current_span
        assert third == view.spans[2]
        await pilot.press("E")
        assert view.current_span == view.spans[1]
        # The mark is visible: the current entity is drawn reversed.
        y = next(i for i in range(view.size.height) if first.text in view.render_line(i).text)
        current = view.spans[1]
        line = view.render_line(y)
        assert any(seg.style.reverse for seg in line if seg.text == current.text)
        # Walking far down scrolls the article to keep the mark on screen.
        for _ in range(60):
            await pilot.press("e")
        assert view.scroll_y > 0
        assert view.current_span is not None


async def test_tab_and_shift_tab_move_between_panes(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (app, pilot, main):
        order = []
        for _ in range(5):
            order.append(type(app.focused).__name__)
            await pilot.press("tab")
        assert order == ["ArticleList", "ArticleView", "Legend", "EntityPanel", "AnnotationPanel"]
        assert isinstance(app.focused, ArticleList)
        await pilot.press("shift+tab", "shift+tab")
        assert isinstance(app.focused, EntityPanel)
        await pilot.press("escape")
        assert isinstance(app.focused, ArticleList)
        assert main.query_one(ArticleList).has_focus


async def test_entity_panel_jumps_to_the_first_mention(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        panel = main.query_one(EntityPanel)
        panel.focus()
        await pilot.press("j", "j", "enter")  # the second-most mentioned PERSON
        assert panel.highlighted is not None
        row = panel.render_line(panel.highlighted - int(panel.scroll_offset.y)).text
        view = main.query_one(ArticleView)
        current = view.current_span
        assert current is not None
        assert current.label == "PERSON"
        assert row.strip().startswith(f"{current.text} ×")
        assert current.start == min(s.start for s in view.spans if s.text == current.text)


async def test_legend_toggles_and_hides_a_label(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        legend = main.query_one(Legend)
        view = main.query_one(ArticleView)
        assert legend.display
        await pilot.press("l")
        assert not legend.display
        await pilot.press("l")
        assert legend.display
        legend.focus()
        first_label = legend.render_line(0).text.split()[1]  # "✓  PERSON  12"
        assert first_label in {s.label for s in view.spans}
        assert f"✓  {first_label} " in legend.render_line(0).text
        await pilot.press("space")
        assert first_label in view.hidden_labels
        assert all(s.label != first_label for s in view.visible_spans)
        assert f"·  {first_label} " in legend.render_line(0).text
        await pilot.press("space")
        assert first_label not in view.hidden_labels


async def test_legend_counts_are_written_as_the_panel_writes_them(make_settings) -> None:  # type: ignore[no-untyped-def]
    """Thousands grouped ("PERSON 4,002"), as the Entities panel's "PERSON (4,002)"."""
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        legend = main.query_one(Legend)
        spans = [Span(i, i + 1, "PERSON", "x") for i in range(4002)]
        legend.set_spans([*spans, Span(0, 1, "GPE", "y")])
        await pilot.pause()
        lines = [legend.render_line(y).text for y in range(2)]
        assert any(line.split()[1:] == ["PERSON", "4,002"] for line in lines), lines
        assert any(line.split()[1:] == ["GPE", "1"] for line in lines), lines


async def test_help_lists_every_key_and_closes(make_settings) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings())
    async with app.run_test(size=(120, 200)) as pilot:  # every line of the help on screen
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in (
            "Next entity",
            "Prev entity",
            "Page down",
            "Legend",
            "Quit",
            "annotations",
            "Finding articles",
            'entity:"Sergey Lavrov"',
            "is:read  is:unread",
        ):
            assert expected in text, expected
        # The model that really runs, with its version, not a guess at its name.
        info = app.finder.pipeline
        assert info.shown in text
        assert "best installed (en_core_web_sm)" not in text
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_offers_the_app_actions(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        await pilot.press("ctrl+p")
        await pilot.pause(0.1)
        await pilot.press(*"toggle legend")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert not main.query_one(Legend).display


async def test_q_quits(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (app, pilot, _):
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_mouse_click_on_an_entity_marks_it(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(), SIZE) as (_app, pilot, main):
        view = main.query_one(ArticleView)
        # "Russia" starts the first line of the article.
        await pilot.click(ArticleView, offset=(view.gutter.left + 2, 0))
        assert view.current_span is not None and view.current_span.text == "Russia"


async def test_empty_library_explains_how_to_add_articles(tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    settings = Settings(article_paths=[empty], cache_dir=tmp_path / "cache")
    async with started(settings, SIZE) as (app, pilot, _):
        text = screen_text(app)
        assert "No .txt, .md or .html articles were found" in text
        assert "nothing" in text
        await pilot.press("q")


async def test_missing_pipeline_still_reads(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(model="xx_no_such_pipeline"), SIZE) as (app, _pilot, main):
        assert main.query_one(ArticleView).text.startswith("Russia")
        assert main.query_one(ArticleView).spans == []
        assert "not installed" in screen_text(app)


async def test_an_article_opened_before_highlights_from_the_cache(
    make_settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
    # Second start: entities come from the cache, before any worker runs the model.
    app = build_app(settings)

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model ran although the entities were cached")

    monkeypatch.setattr(app.finder.recognizer, "extract", no_model)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert len(main.query_one(ArticleView).spans) > 50


async def test_stale_entities_are_dropped_when_the_user_moves_on(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Worker plumbing only: a recognizer that holds the first article until released.
    import threading

    from reader.entities.span import Span

    folder = two_articles(tmp_path)
    app = build_app(make_settings(folder, use_cache=False))
    release = threading.Event()

    def slow_then_fast(text: str, cancelled: threading.Event | None = None) -> list[Span]:
        if text.startswith("First"):
            release.wait(10)  # ignores cancellation, like a model mid-paragraph
            return [Span(0, 5, "ORG", text[:5])]
        return [Span(0, 6, "ORG", text[:6])]

    app.finder.recognizer.extract = slow_then_fast  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        while main.library is None:
            await pilot.pause(0.05)
        await pilot.press("j", "enter")  # open the second before the first is done
        await pilot.pause(0.2)
        release.set()
        await settle(pilot)
        assert main.article is not None and main.article.title == "Second article"
        assert [s.text for s in main.query_one(ArticleView).spans] == ["Second"]  # rendered


async def test_clicking_an_article_in_the_sidebar_opens_it(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with started(make_settings(two_articles(tmp_path)), SIZE) as (_app, pilot, main):
        articles = main.query_one(ArticleList)
        # The second option starts below the first one's lines (title, source line).
        y = next(y for y in range(1, 12) if "Second article" in articles.render_line(y).text)
        await pilot.click(ArticleList, offset=(4, y + articles.gutter.top))
        await ready(pilot)
        assert articles.highlighted == 1
        assert main.article is not None and main.article.title == "Second article"
