"""The catalogue's format, in a module of its own: the search index records it (what a
title or a displayed text is) and checks it on `reader search`'s hot path, which must not
import the catalogue (it imports the articles and, through them, the parsers)."""

from __future__ import annotations

__all__ = ["CATALOGUE_FORMAT"]

#: Bump when the catalogue's stored shape changes (or what a title or word count means,
#: or how the displayed text is drawn): the catalogue and the search index are rebuilt.
CATALOGUE_FORMAT = 5  # 2: Markdown rendered, titles from front matter, saved pages; 3: tables;
# 4: a front matter block kept in the text (not valid YAML) is not the title; 5: a rule
# under a table's header row
