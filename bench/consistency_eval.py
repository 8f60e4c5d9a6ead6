"""Measure what the consistency rules do to the model's PERSON/ORG/GPE entities.

Runs the real pipeline (reader's spaCy engine, as the app runs it) over the hand-annotated
articles in tests/data/consistency/, with and without :func:`apply_consistency`, and prints
precision, recall and F1 per label and overall, plus how many spans the rules changed,
added and removed.

A prediction counts when its start, end and label all equal a gold mention's. A leading
"the " is ignored on both sides (annotators disagree about it; the rules never touch it).
Only PERSON, ORG and GPE are scored; other labels are neither gold nor predictions.

    python bench/consistency_eval.py [DATA_DIR] [--errors] [--ablation] [--typographic]

--errors lists, per article, the mentions the rules fixed and broke and the errors left;
--ablation scores the rules with each one left out, to show what each is worth;
--typographic runs the same articles with ’ for every ' (the model handles the two apart).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.entities.consistency import RULES, Rule, apply_consistency
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.span import Span
from reader.text import sanitize

LABELS = ("PERSON", "ORG", "GPE")
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "consistency"

Key = tuple[int, int, str]


@dataclass
class Article:
    """One annotated article: its displayed text and its gold mentions."""

    name: str
    text: str
    gold: set[Key]


@dataclass
class Score:
    """True positives, false positives and false negatives per label."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(self, gold: set[Key], predicted: set[Key]) -> None:
        """Count one article."""
        for _, _, label in gold & predicted:
            self.tp[label] += 1
        for _, _, label in predicted - gold:
            self.fp[label] += 1
        for _, _, label in gold - predicted:
            self.fn[label] += 1

    def prf(self, labels: Iterable[str]) -> tuple[float, float, float]:
        """Return micro precision, recall and F1 over *labels*."""
        labels = list(labels)
        tp = sum(self.tp[x] for x in labels)
        fp = sum(self.fp[x] for x in labels)
        fn = sum(self.fn[x] for x in labels)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_articles(folder: Path, typographic: bool = False) -> list[Article]:
    """Read every ``*.gold.json`` in *folder* with the text file it names.

    *typographic* turns every ASCII apostrophe into ’ (as many news sites print it); the
    offsets stay the same.
    """
    articles = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = sanitize((folder / gold["text_file"]).read_text(encoding="utf-8"))
        if typographic:
            text = text.replace("'", "’")
        keys = set()
        for m in gold["mentions"]:
            expected = m["text"].replace("'", "’") if typographic else m["text"]
            if text[m["start"] : m["end"]] != expected:
                raise SystemExit(f"{gold_path.name}: {m} does not match the text")
            keys.add(_key(text, m["start"], m["end"], m["label"]))
        articles.append(Article(gold_path.name.removesuffix(".gold.json"), text, keys))
    return articles


def _key(text: str, start: int, end: int, label: str) -> Key:
    """Return the scoring key of a mention, without a leading "the "."""
    if text[start : start + 4].lower() == "the " and end - start > 4:
        start += 4
    return (start, end, label)


def _keys(text: str, spans: Sequence[Span]) -> set[Key]:
    return {_key(text, s.start, s.end, s.label) for s in spans if s.label in LABELS}


def _changes(model: Sequence[Span], ruled: Sequence[Span]) -> Counter[str]:
    """Count what the rules did: relabelled, resized (incl. merged), added, removed."""
    kept = {(s.start, s.end, s.label) for s in ruled}
    counts: Counter[str] = Counter()
    gone = [s for s in model if (s.start, s.end, s.label) not in kept]
    for s in ruled:
        if s.source != "consistency":
            continue
        over = [m for m in model if m.start < s.end and s.start < m.end]
        if not over:
            counts["added"] += 1
        elif any((m.start, m.end) == (s.start, s.end) for m in over):
            counts["relabelled"] += 1
        else:
            counts["resized or merged"] += 1
    counts["model spans replaced"] = len(gone)
    counts["model spans removed outright"] = sum(
        1 for m in gone if not any(s.start < m.end and m.start < s.end for s in ruled)
    )
    return counts


def _print_table(title: str, score: Score) -> None:
    print(f"\n{title}")
    print(f"  {'label':<8} {'P':>6} {'R':>6} {'F1':>6}   {'tp':>4} {'fp':>4} {'fn':>4}")
    for label in (*LABELS, "overall"):
        labels = LABELS if label == "overall" else (label,)
        p, r, f = score.prf(labels)
        tp = sum(score.tp[x] for x in labels)
        fp = sum(score.fp[x] for x in labels)
        fn = sum(score.fn[x] for x in labels)
        print(f"  {label:<8} {p:6.3f} {r:6.3f} {f:6.3f}   {tp:4} {fp:4} {fn:4}")


def _show_errors(article: Article, keys: set[Key], ruled_keys: set[Key]) -> None:
    """Print the mentions the rules fixed and broke, and the errors both still make."""
    text = article.text

    def show(sign: str, items: Iterable[Key]) -> None:
        for start, end, label in sorted(items):
            print(f"    {sign} {label:<6} {text[start:end]!r} @{start}")

    print(f"  {article.name}")
    show("fixed  +", (ruled_keys & article.gold) - keys)
    show("broke  -", (keys & article.gold) - ruled_keys)
    show("new fp  ", (ruled_keys - article.gold) - keys)
    show("miss    ", article.gold - ruled_keys - keys)
    show("both fp ", (ruled_keys & keys) - article.gold)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--errors", action="store_true", help="list the differences per article")
    parser.add_argument("--ablation", action="store_true", help="score without each rule")
    parser.add_argument(
        "--typographic", action="store_true", help="use ’ for every ' in the articles"
    )
    args = parser.parse_args(argv)

    articles = load_articles(args.data, args.typographic)
    if not articles:
        print(f"no *.gold.json in {args.data}", file=sys.stderr)
        return 1
    recognizer = SpacyEngine()
    info = recognizer.load()
    without, with_rules = Score(), Score()
    changes: Counter[str] = Counter()
    if args.errors:
        print("Per article (with rules vs without):")
    models = list(recognizer.extract_many([a.text for a in articles]))
    for article, model in zip(articles, models, strict=True):
        ruled = apply_consistency(article.text, model)
        keys, ruled_keys = _keys(article.text, model), _keys(article.text, ruled)
        without.add(article.gold, keys)
        with_rules.add(article.gold, ruled_keys)
        changes.update(_changes(model, ruled))
        if args.errors:
            _show_errors(article, keys, ruled_keys)

    gold_count = sum(len(a.gold) for a in articles)
    quotes = ", apostrophes as ’" if args.typographic else ""
    print(f"\n{len(articles)} articles, {gold_count} gold mentions{quotes}; pipeline {info.key}")
    _print_table("Model only", without)
    _print_table("Model + consistency rules", with_rules)
    print("\nWhat the rules did (all labels):")
    for name in (
        "relabelled",
        "resized or merged",
        "added",
        "model spans replaced",
        "model spans removed outright",
    ):
        print(f"  {name:<30} {changes[name]}")
    if args.ablation:
        _print_ablation(articles, models)
    return 0


def _print_ablation(articles: Sequence[Article], models: Sequence[Sequence[Span]]) -> None:
    """Print F1 with all rules, and with each rule left out in turn."""

    def f1(rules: Sequence[Rule]) -> tuple[float, float]:
        score = Score()
        for article, model in zip(articles, models, strict=True):
            ruled = apply_consistency(article.text, model, rules)
            score.add(article.gold, _keys(article.text, ruled))
        return score.prf(("PERSON",))[2], score.prf(LABELS)[2]

    print("\nAblation (F1):")
    print(f"  {'rules':<32} {'PERSON':>6} {'overall':>7}")
    for name, rules in [("none", ()), ("all", RULES)] + [
        (f"all but {rule.__name__}", tuple(r for r in RULES if r is not rule)) for rule in RULES
    ]:
        person, overall = f1(rules)
        print(f"  {name:<32} {person:6.3f} {overall:7.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
