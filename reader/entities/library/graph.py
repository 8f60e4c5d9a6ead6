"""The library's co-occurrence network, for Gephi, Cytoscape or networkx: entities as
nodes (name, label, mentions, articles), an edge between two entities mentioned in the same
article (weight: articles together + 2 × sentences together, as on an entity page;
articles: how many articles). Written with networkx, by the file's ending: ``.graphml``,
``.gexf``, or ``.csv`` (an edge list with a header)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from reader.entities.library.mentions import NUMERIC_LABELS
from reader.entities.library.pages import SAME_SENTENCE_WEIGHT
from reader.export.csv_format import csv_cell

if TYPE_CHECKING:
    import networkx as nx

    from reader.entities.library.index import EntityIndex

__all__ = ["GRAPH_FORMATS", "cooccurrence_graph", "write_graph"]

GRAPH_FORMATS = (".graphml", ".gexf", ".csv")
"""The file endings :func:`write_graph` writes."""


def cooccurrence_graph(
    index: EntityIndex, *, label: str | None = None, min_weight: int = 1
) -> nx.Graph:
    """The network of the library's entities (of *label*, or every named label): nodes
    keyed by :attr:`Entity.id`, edges of at least *min_weight*."""
    import networkx as nx

    resolution = index.resolution()
    wanted = {
        entity.id: entity
        for entity in resolution.entities
        if (entity.label == label if label else entity.label not in NUMERIC_LABELS)
    }
    graph = nx.Graph()
    for entity in wanted.values():
        graph.add_node(
            entity.id,
            name=entity.name,
            label=entity.label,
            mentions=entity.mentions,
            articles=entity.articles,
        )
    articles: dict[tuple[str, str], set[int]] = defaultdict(set)
    sentences: dict[tuple[str, str], int] = defaultdict(int)
    with index.connection() as connection:
        current: int | None = None
        in_article: dict[str, set[int]] = {}

        def close_article() -> None:
            ids = sorted(in_article)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    articles[(a, b)].add(current or 0)
                    sentences[(a, b)] += len(in_article[a] & in_article[b])

        for row_id, key, label_of, sentence in connection.execute(
            "SELECT article, key, label, sentence FROM mentions ORDER BY article"
        ):
            if row_id != current:
                if current is not None:
                    close_article()
                current, in_article = row_id, {}
            found = resolution.of(key, label_of)
            if found is not None and found.id in wanted:
                in_article.setdefault(found.id, set()).add(sentence)
        if current is not None:
            close_article()
    for (a, b), together in articles.items():
        weight = len(together) + SAME_SENTENCE_WEIGHT * sentences[(a, b)]
        if weight >= min_weight:
            graph.add_edge(a, b, weight=weight, articles=len(together))
    return graph


def write_graph(graph: nx.Graph, path: Path) -> None:
    """Write *graph* to *path* in the format its ending names (:data:`GRAPH_FORMATS`).

    Raises:
        ValueError: another ending.
        OSError: the file cannot be written.
    """
    import networkx as nx

    from reader.files import write_atomically

    suffix = path.suffix.lower()
    if suffix == ".graphml":
        buffer = io.BytesIO()
        nx.write_graphml(graph, buffer, encoding="utf-8")
        data = buffer.getvalue()
    elif suffix == ".gexf":
        buffer = io.BytesIO()
        nx.write_gexf(graph, buffer, encoding="utf-8")
        data = buffer.getvalue()
    elif suffix == ".csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["source", "target", "source_label", "target_label", "weight", "articles"])
        for a, b, attributes in sorted(graph.edges(data=True)):
            writer.writerow(
                [
                    csv_cell(graph.nodes[a]["name"]),
                    csv_cell(graph.nodes[b]["name"]),
                    csv_cell(graph.nodes[a]["label"]),
                    csv_cell(graph.nodes[b]["label"]),
                    attributes["weight"],
                    attributes["articles"],
                ]
            )
        data = text.getvalue().encode("utf-8")
    else:
        raise ValueError(f"{path}: unknown graph format (use one of {', '.join(GRAPH_FORMATS)})")
    write_atomically(path, data, durable=False)
