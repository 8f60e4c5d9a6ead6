"""The library's entities: one entity across many articles and spellings, its page, and the
network of who appears with whom.

- ``names``: how a mention's text becomes the key it is compared by (case, accents,
  possessives, titles, a leading "the", punctuation);
- ``resolve``: which keys are one entity (the same key; a lone surname joining the one full
  name of that label), ambiguity kept visible, then the user's edits;
- ``index``: ``EntityIndex``, the derived SQLite file of every article's mentions (offsets,
  sentences, dates), updated one article at a time;
- ``pages``: what the index answers: the entity list, one entity's page, the timeline;
- ``graph``: the co-occurrence network written with networkx.

Textual-free, store-free (the edits come in as plain records from
:mod:`reader.store.entity_edits`).
"""

from reader.entities.library.edits import Edit
from reader.entities.library.names import display_name, name_key
from reader.entities.library.resolve import Entity, Resolution, resolve

__all__ = ["Edit", "Entity", "Resolution", "display_name", "name_key", "resolve"]
