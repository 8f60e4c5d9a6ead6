"""Pilot test: a passage note in the notes panel shows its passage above it, quoted, on one
line cut to the panel's width, as plain text (never markup)."""

from __future__ import annotations

from pathlib import Path

from reader.anchoring import describe
from reader.annotations import article_ref
from reader.library import Library
from reader.store import AnnotationStore
from reader.ui.app import build_app
from reader.ui.widgets.annotation_panel import AnnotationPanel

from .conftest import ready

HOSTILE = (
    "The envoy [bold red]said[/] [@click=app.quit]x[/] nothing at all about the talks, "
    "and went home early the next morning without a word to anyone"
)


def panel_lines(panel: AnnotationPanel) -> list[str]:
    return [panel.render_line(y).text.rstrip() for y in range(panel.size.height)]


async def test_a_passage_note_shows_its_passage_on_a_line_above_it(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    root.mkdir()
    (root / "envoy.txt").write_text(f"Envoy\n\n{HOSTILE}.\n", encoding="utf-8")
    settings = make_settings(root, model="no-such-pipeline")
    (article,) = Library.load(settings.article_paths).articles
    start = article.text.index("The envoy")
    with AnnotationStore(settings.db_path) as store:
        ref = article_ref(article)
        store.add_note(ref, "what he meant", describe(article.text, start, start + len(HOSTILE)))
        store.add_note(ref, "an article note")
    app = build_app(settings)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        panel = screen.query_one(AnnotationPanel)
        lines = panel_lines(panel)
        note = next(i for i, line in enumerate(lines) if "✎ what he meant" in line)
        quote = lines[note - 1].strip()
        # Quoted, the markup literal, cut to the line with an ellipsis.
        assert quote.startswith("“The envoy [bold red]sai"), quote
        assert quote.endswith("…”"), quote
        assert "went home" not in "\n".join(lines)
        # The article note has no passage line.
        article_note = next(i for i, line in enumerate(lines) if "✎ an article note" in line)
        assert "“" not in lines[article_note - 1]
        # Wider: the passage is cut again to the new width, still one line.
        width = len(lines[note - 1].rstrip())
        screen.query_one("#panels").styles.width = 60
        await pilot.pause(0.2)
        lines = panel_lines(panel)
        note = next(i for i, line in enumerate(lines) if "✎ what he meant" in line)
        assert lines[note - 1].strip().startswith("“The envoy")
        assert lines[note - 1].rstrip().endswith("…”")
        assert len(lines[note - 1].rstrip()) > width + 20


def test_a_corrections_label_is_shown_sanitised() -> None:
    # A correction's label is any string (an imported annotation file's too): the panel's
    # entry and the full text (OrphanScreen) show it as they show the entity's text.
    from reader.annotations import Placed
    from reader.store.model import Annotation
    from reader.ui.widgets.annotation_panel import describe as entry
    from reader.ui.widgets.annotation_panel import full_text

    label = "ORG\x1b]52;c;eA==\x07\x1b[2J\nX"
    correction = {"action": "relabel", "label": label, "scope": "global", "text": "Acme"}
    item = Placed(
        Annotation("a1", "correction", "0" * 64, "a.txt", "t", "t", correction=correction),
        anchoring=None,
    )
    for content in (entry(item), full_text(item)):
        text = content.plain
        assert "\x1b" not in text and "\x07" not in text, repr(text)
        assert "ORG X" in text, repr(text)
