"""Measure the entity pipelines, with and without the rules, on hand-annotated news.

Runs each spaCy pipeline (reader's engine, as the app runs it: ``sm`` and ``md`` by default)
over the articles in tests/data/consistency/, with and without :func:`apply_consistency`
(the repairs and consistency rules), and prints precision, recall and F1 per label group
and overall, with 95% bootstrap confidence intervals (articles resampled with
replacement), and the paired bootstrap CIs of the differences that matter: md vs sm, and
the rules vs none.

Entity-level exact match: a prediction counts when its start, end and label group equal a
gold mention's. Groups: PERSON, ORG, LOC (GPE, LOC, FAC) and MISC (NORP, EVENT, PRODUCT,
WORK_OF_ART, LAW, LANGUAGE). An article's gold says which labels it annotates
(``"labels"``; the first ten: PERSON, ORG, GPE only): predictions of other labels are not
scored on it. Gold spans never start with a lowercase "the" (tests/data/consistency/
README.md), so a prediction that does is wrong.

    python bench/consistency_eval.py [DATA_DIR] [--models sm md] [--bootstrap 2000]
                                     [--errors] [--ablation] [--typographic]

--errors lists, per article, the mentions the rules fixed and broke and the errors left;
--ablation scores the rules with each one left out, to show what each is worth;
--typographic runs the same articles with ’ for every ' (the model handles the two apart).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.entities.consistency import RULES, Rule, apply_consistency
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.span import Span
from reader.text import sanitize

#: The scored label groups and the OntoNotes labels in each.
GROUPS: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"PERSON"}),
    "ORG": frozenset({"ORG"}),
    "LOC": frozenset({"GPE", "LOC", "FAC"}),
    "MISC": frozenset({"NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}),
}
LABELS = tuple(GROUPS)
_GROUP_OF = {label: group for group, labels in GROUPS.items() for label in labels}
#: What an article annotates when its gold does not say (the first ten articles).
_DEFAULT_ANNOTATED = ("PERSON", "ORG", "GPE")
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "consistency"

Key = tuple[int, int, str]


@dataclass
class Article:
    """One annotated article: its displayed text and its gold mentions."""

    name: str
    text: str
    gold: set[Key]
    annotated: frozenset[str] = frozenset(_DEFAULT_ANNOTATED)
    """The OntoNotes labels its gold covers (predictions of others are not scored)."""


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
        annotated = frozenset(
            label
            for name in gold.get("labels", _DEFAULT_ANNOTATED)
            for label in (GROUPS[name] if name == "MISC" else (name,))
        )
        keys = set()
        for m in gold["mentions"]:
            expected = m["text"].replace("'", "’") if typographic else m["text"]
            if text[m["start"] : m["end"]] != expected or m["label"] not in annotated:
                raise SystemExit(f"{gold_path.name}: {m} does not match the text or labels")
            keys.add((m["start"], m["end"], _GROUP_OF[m["label"]]))
        name = gold_path.name.removesuffix(".gold.json")
        articles.append(Article(name, text, keys, annotated))
    return articles


def _keys(article: Article, spans: Sequence[Span]) -> set[Key]:
    """The scored keys of *spans*: those of a label the article annotates, by group."""
    return {
        (s.start, s.end, _GROUP_OF[s.label])
        for s in spans
        if s.label in article.annotated and s.label in _GROUP_OF
    }


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


@dataclass
class System:
    """One pipeline, with or without the rules: its counts per article."""

    name: str
    per_article: list[Score]

    def total(self, indices: Iterable[int] | None = None) -> Score:
        """The counts summed over the articles at *indices* (all by default)."""
        score = Score()
        for i in range(len(self.per_article)) if indices is None else indices:
            one = self.per_article[i]
            score.tp.update(one.tp)
            score.fp.update(one.fp)
            score.fn.update(one.fn)
        return score


def bootstrap(
    systems: Sequence[System], samples: int, seed: int = 14
) -> dict[str, dict[str, list[float]]]:
    """F1 per system and label group (and ``overall``) on *samples* resamples of the articles
    (with replacement, the same resamples for every system: paired)."""
    rng = random.Random(seed)
    n = len(systems[0].per_article)
    f1s: dict[str, dict[str, list[float]]] = {
        s.name: {g: [] for g in (*LABELS, "overall")} for s in systems
    }
    for _ in range(samples):
        indices = [rng.randrange(n) for _ in range(n)]
        for system in systems:
            score = system.total(indices)
            for group in (*LABELS, "overall"):
                labels = LABELS if group == "overall" else (group,)
                f1s[system.name][group].append(score.prf(labels)[2])
    return f1s


def _ci(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]


def _print_table(system: System, f1s: dict[str, list[float]]) -> None:
    score = system.total()
    print(f"\n{system.name}")
    head = f"  {'group':<8} {'P':>6} {'R':>6} {'F1':>6}  {'95% CI':>13}"
    print(f"{head}   {'tp':>4} {'fp':>4} {'fn':>4}")
    for group in (*LABELS, "overall"):
        labels = LABELS if group == "overall" else (group,)
        p, r, f = score.prf(labels)
        low, high = _ci(f1s[group])
        tp = sum(score.tp[x] for x in labels)
        fp = sum(score.fp[x] for x in labels)
        fn = sum(score.fn[x] for x in labels)
        print(
            f"  {group:<8} {p:6.3f} {r:6.3f} {f:6.3f}  [{low:.3f}–{high:.3f}]   "
            f"{tp:4} {fp:4} {fn:4}"
        )


def _print_differences(
    pairs: Sequence[tuple[System, System]], f1s: dict[str, dict[str, list[float]]]
) -> None:
    """The overall F1 difference of each pair, with its paired bootstrap 95% CI."""
    print("\nDifferences in overall F1 (paired bootstrap 95% CI):")
    for better, worse in pairs:
        point = better.total().prf(LABELS)[2] - worse.total().prf(LABELS)[2]
        deltas = [
            b - w
            for b, w in zip(f1s[better.name]["overall"], f1s[worse.name]["overall"], strict=True)
        ]
        low, high = _ci(deltas)
        print(f"  {better.name} − {worse.name}: {point:+.3f} [{low:+.3f}, {high:+.3f}]")


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
    parser.add_argument(
        "--models", nargs="+", default=["sm", "md"], help="spaCy pipelines (default: sm md)"
    )
    parser.add_argument("--bootstrap", type=int, default=2000, help="resamples (default 2000)")
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
    systems: list[System] = []
    pairs: list[tuple[System, System]] = []
    keys_found: dict[str, list[Sequence[Span]]] = {}
    for model_name in args.models:
        recognizer = SpacyEngine(model_name)
        info = recognizer.load()
        alone, ruled_system = System(info.shown, []), System(f"{info.shown} + rules", [])
        changes: Counter[str] = Counter()
        if args.errors:
            print(f"\nPer article, {info.shown} (with rules vs without):")
        models = list(recognizer.extract_many([a.text for a in articles]))
        keys_found[model_name] = models
        for article, model in zip(articles, models, strict=True):
            ruled = apply_consistency(article.text, model)
            keys, ruled_keys = _keys(article, model), _keys(article, ruled)
            for system, found in ((alone, keys), (ruled_system, ruled_keys)):
                one = Score()
                one.add(article.gold, found)
                system.per_article.append(one)
            changes.update(_changes(model, ruled))
            if args.errors:
                _show_errors(article, keys, ruled_keys)
        systems += [alone, ruled_system]
        pairs.append((ruled_system, alone))
        print(
            f"{info.shown}: the rules "
            + ", ".join(f"{name} {changes[name]}" for name in sorted(changes))
        )
        if args.ablation:
            _print_ablation(info.shown, articles, models)
    if len(args.models) == 2:
        first, second = systems[0:2], systems[2:4]
        pairs += [(second[0], first[0]), (second[1], first[1])]

    gold_count = sum(len(a.gold) for a in articles)
    quotes = ", apostrophes as ’" if args.typographic else ""
    print(f"\n{len(articles)} articles, {gold_count} gold mentions{quotes}")
    f1s = bootstrap(systems, args.bootstrap)
    for system in systems:
        _print_table(system, f1s[system.name])
    _print_differences(pairs, f1s)
    return 0


def _print_ablation(
    shown: str, articles: Sequence[Article], models: Sequence[Sequence[Span]]
) -> None:
    """Print F1 with all rules, and with each rule left out in turn."""

    def f1(rules: Sequence[Rule]) -> tuple[float, float]:
        score = Score()
        for article, model in zip(articles, models, strict=True):
            ruled = apply_consistency(article.text, model, rules)
            score.add(article.gold, _keys(article, ruled))
        return score.prf(("PERSON",))[2], score.prf(LABELS)[2]

    print(f"\nAblation, {shown} (F1):")
    print(f"  {'rules':<32} {'PERSON':>6} {'overall':>7}")
    for name, rules in [("none", ()), ("all", RULES)] + [
        (f"all but {rule.__name__}", tuple(r for r in RULES if r is not rule)) for rule in RULES
    ]:
        person, overall = f1(rules)
        print(f"  {name:<32} {person:6.3f} {overall:7.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
