"""Which name keys of the library are one entity, and what the user said about it.

The rules, in order:

1. **Same key, same label, same entity**: mentions are compared by
   :func:`~reader.entities.library.names.name_key` (case, accents, possessives, titles, a
   leading "the" and punctuation normalised), so "Gen. Bajwa’s" and "bajwa" are one key.
   (Within one article the index has already given a lone surname to the article's one full
   name ending in it: in an article about "Sergey Lavrov", "Lavrov" is him.)
2. **A lone surname joins the one full name**: a one-word PERSON key ("lavrov") joins the
   PERSON entity whose key has two words or more and ends in that word ("sergey lavrov")
   when the library knows exactly one such entity. With two or more ("tony blair",
   "cherie blair") it stays an entity of its own, and :attr:`Entity.ambiguous` names the
   candidates: ambiguity is shown, never guessed. Only PERSON: "States" is not "United
   States".
3. **The user's edits**, in the order made (:class:`Edit`): merge one entity into another,
   split a variant off (or every variant apart), rename, relabel. An edit whose entity is
   no longer in the library (its articles gone) is kept and reported in
   :attr:`Resolution.unapplied`, as is a merge of an entity into itself.

Pure and deterministic: the same keys and edits give the same entities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reader.entities.library.edits import Edit
from reader.entities.library.names import display_name, name_key, surname_of
from reader.entities.span import label_order

__all__ = ["Entity", "KeyStats", "Resolution", "entity_id", "resolve"]

Key = tuple[str, str]
"""A name key and its label: what the index counts mentions by."""


def entity_id(key: str, label: str) -> str:
    """The id of the entity whose canonical key is *key* of *label* (``PERSON:sergey
    lavrov``): stable across renames and relabels."""
    return f"{label}:{key}"


@dataclass(slots=True)
class KeyStats:
    """What the library says about one key: how often, in how many articles, written how."""

    mentions: int = 0
    """Mentions in the whole library."""
    articles: int = 0
    """Articles with at least one mention."""
    forms: dict[str, int] = field(default_factory=dict)
    """The surface forms (one line, as written) and their mention counts."""
    name: str = ""
    """The name to show for the key, when already worked out (the index keeps it): else
    the commonest form written in full, titles cut."""


@dataclass(slots=True)
class Entity:
    """One entity of the library: every key that is it, and what they add up to. (Not
    frozen, so that ten thousand are made fast: treat it as read-only.)"""

    id: str
    """Stable id: ``LABEL:key`` of its canonical key (see :func:`entity_id`)."""
    name: str
    """Its canonical name (the commonest form of its canonical key, titles cut; or the
    user's)."""
    label: str
    """Its label (the user's when relabelled)."""
    keys: tuple[Key, ...]
    """The (name key, label) pairs that are this entity, canonical first."""
    variants: tuple[str, ...]
    """Its surface forms as written in the articles, commonest first."""
    articles: int
    """Articles that mention it."""
    mentions: int
    """Mentions in the whole library."""
    ambiguous: tuple[str, ...] = ()
    """For a lone surname that several entities share: their names (it was not joined to
    any of them)."""

    def to_json(self) -> dict[str, Any]:
        """The entity as JSON-ready data (what ``reader entity --format json`` lists)."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "variants": list(self.variants),
            "articles": self.articles,
            "mentions": self.mentions,
        }
        if self.ambiguous:
            data["ambiguous"] = list(self.ambiguous)
        return data


@dataclass(slots=True)
class _Group:
    canonical: Key
    members: list[Key]
    name: str = ""
    label: str = ""


@dataclass
class Resolution:
    """The library's entities: who each key is, most mentioned first."""

    entities: list[Entity]
    """Every entity, most mentioned first (then by name)."""
    by_key: dict[Key, Entity]
    """The entity of each (name key, label)."""
    unapplied: list[tuple[Edit, str]] = field(default_factory=list)
    """Edits that could not be applied, and why."""

    def __post_init__(self) -> None:
        self._by_id = {entity.id: entity for entity in self.entities}

    def get(self, ident: str) -> Entity | None:
        """The entity with this :attr:`Entity.id`, or None."""
        return self._by_id.get(ident)

    def of(self, key: str, label: str) -> Entity | None:
        """The entity a name key of *label* belongs to, or None."""
        return self.by_key.get((key, label))

    def find(self, name: str, label: str | None = None) -> list[Entity]:
        """The entities *name* may mean, most mentioned first: an exact id; else those with
        *name*'s key among their keys or as their name (as a mention of *label*, or of any
        label); else those with a variant of that key ("Lavrov", counted in an article
        under its "Sergey Lavrov")."""
        if name in self._by_id:
            return [self._by_id[name]]
        found: dict[str, Entity] = {}
        labels = [label] if label else sorted({k[1] for k in self.by_key}, key=label_order)
        for each in labels:
            entity = self.by_key.get((name_key(name, each), each))
            if entity is not None:
                found[entity.id] = entity
        wanted = [e for e in self.entities if label is None or e.label == label]
        for entity in wanted:
            if name_key(entity.name, entity.label) == name_key(name, entity.label):
                found.setdefault(entity.id, entity)
        if not found:
            for entity in wanted:
                key = name_key(name, entity.label)
                if any(name_key(v, entity.label) == key for v in entity.variants):
                    found[entity.id] = entity
        return sorted(found.values(), key=_rank)


def _rank(entity: Entity) -> tuple[int, str, str]:
    return (-entity.mentions, entity.name.casefold(), entity.label)


def resolve(
    stats: Mapping[Key, KeyStats],
    edits: Sequence[Edit] = (),
    *,
    union_articles: Callable[[Sequence[Sequence[Key]]], list[int]] | None = None,
) -> Resolution:
    """The entities of a library whose keys are *stats*, after the rules and *edits*.

    Args:
        stats: Per (name key, label): mentions, articles and forms.
        edits: The user's edits, oldest first.
        union_articles: Given the keys of each entity of several keys, counts the articles
            that mention any of them, per entity; default: the sum of their counts (exact
            when no article has two of them).
    """
    groups: dict[Key, _Group] = {}
    member_of: dict[Key, Key] = {}
    for each in stats:
        groups[each] = _Group(each, [each])
        member_of[each] = each
    ambiguous: dict[Key, list[Key]] = {}
    by_surname: dict[str, list[Key]] = {}
    for key, label in stats:
        if label == "PERSON":
            last = surname_of(key)
            if last is not None:
                by_surname.setdefault(last, []).append((key, label))
    for key, label in sorted(stats):
        if label != "PERSON" or " " in key:
            continue
        candidates = by_surname.get(key, [])
        if len(candidates) == 1:
            _move(groups, member_of, (key, label), candidates[0])
        elif len(candidates) > 1:
            ambiguous[(key, label)] = sorted(candidates)
    unapplied: list[tuple[Edit, str]] = []
    for edit in edits:
        problem = _apply(edit, groups, member_of, stats)
        if problem:
            unapplied.append((edit, problem))
    entities: list[Entity] = []
    by_key: dict[Key, Entity] = {}
    names: dict[Key, str] = {}
    for group in groups.values():
        names[group.canonical] = group.name or _name(group.canonical, stats)
    multi = [group for group in groups.values() if len(group.members) > 1]
    unions: dict[Key, int] = {}
    if multi and union_articles is not None:
        counted = union_articles([group.members for group in multi])
        unions = {group.canonical: n for group, n in zip(multi, counted, strict=True)}
    for group in groups.values():
        entity = _entity(group, stats, names, ambiguous, member_of, unions)
        entities.append(entity)
        for member in group.members:
            by_key[member] = entity
    entities.sort(key=_rank)
    return Resolution(entities, by_key, unapplied)


def _name(key: Key, stats: Mapping[Key, KeyStats]) -> str:
    """The commonest form written in full (whose own key is *key*: "Sergey Lavrov", not the
    "Lavrov" counted under it in the same article), else the commonest form."""
    found = stats[key]
    if found.name:
        return found.name
    forms = found.forms
    if not forms:
        return key[0]
    full = [f for f in forms if name_key(f, key[1]) == key[0]] or list(forms)
    form = min(full, key=lambda f: (-forms[f], f))
    return display_name(form, key[1])


def _move(groups: dict[Key, _Group], member_of: dict[Key, Key], key: Key, into: Key) -> None:
    """Move the whole group of *key* into the group of *into*."""
    source, target = member_of[key], member_of[into]
    if source == target:
        return
    moved = groups.pop(source)
    for member in moved.members:
        member_of[member] = target
    groups[target].members.extend(moved.members)


def _apply(
    edit: Edit,
    groups: dict[Key, _Group],
    member_of: dict[Key, Key],
    stats: Mapping[Key, KeyStats],
) -> str:
    """Apply *edit*; why it could not be, or ``""``."""
    key = (edit.key, edit.label)
    if key not in member_of:
        return f"{edit.key} ({edit.label}) is not in the library"
    group = groups[member_of[key]]
    if edit.op == "merge":
        into = (edit.into_key, edit.into_label)
        if into not in member_of:
            return f"{edit.into_key} ({edit.into_label}) is not in the library"
        if member_of[into] == member_of[key]:
            return "they are already one entity"
        _move(groups, member_of, key, into)
    elif edit.op == "split":
        if edit.variant:
            variant = next((m for m in group.members if m[0] == edit.variant), None) or next(
                (m for m in group.members if m[0] == name_key(edit.variant, m[1])), None
            )
            if variant is None:
                return f"{edit.variant} is not a variant of {edit.key}"
            parts = [variant]
        else:
            parts = [m for m in group.members if m != group.canonical]
        if not parts or len(group.members) < 2:
            return "it has one variant only"
        for part in parts:
            if part == group.canonical:
                # Splitting the canonical key off: the next biggest member leads the rest.
                rest = [m for m in group.members if m != part]
                lead = max(rest, key=lambda m: (stats[m].mentions, m))
                groups.pop(group.canonical)
                for member in rest:
                    member_of[member] = lead
                groups[lead] = _Group(lead, [lead, *[m for m in rest if m != lead]])
                groups[part] = _Group(part, [part], group.name, group.label)
                member_of[part] = part
                group = groups[lead]
            else:
                group.members.remove(part)
                groups[part] = _Group(part, [part])
                member_of[part] = part
    elif edit.op == "rename":
        group.name = edit.name
    else:
        group.label = edit.new_label
    return ""


def _entity(
    group: _Group,
    stats: Mapping[Key, KeyStats],
    names: Mapping[Key, str],
    ambiguous: Mapping[Key, list[Key]],
    member_of: Mapping[Key, Key],
    unions: Mapping[Key, int],
) -> Entity:
    canonical = group.canonical
    if len(group.members) == 1:  # most entities: nothing to add up
        found = stats[canonical]
        own = found.forms
        candidates = ambiguous.get(canonical)
        return Entity(
            id=entity_id(*canonical),
            name=names[canonical],
            label=group.label or canonical[1],
            keys=(canonical,),
            variants=tuple(own)
            if len(own) == 1
            else tuple(sorted(own, key=lambda f: (-own[f], f))),
            articles=found.articles,
            mentions=found.mentions,
            ambiguous=()
            if not candidates
            else tuple(sorted({names[member_of[c]] for c in candidates}, key=str.casefold)),
        )
    members = [canonical, *sorted(m for m in group.members if m != canonical)]
    forms: Counter[str] = Counter()
    mentions = 0
    for member in members:
        forms.update(stats[member].forms)
        mentions += stats[member].mentions
    return Entity(
        id=entity_id(*canonical),
        name=names[canonical],
        label=group.label or canonical[1],
        keys=tuple(members),
        variants=tuple(sorted(forms, key=lambda f: (-forms[f], f))),
        articles=unions.get(canonical) or sum(stats[m].articles for m in members),
        mentions=mentions,
    )
