"""Finding articles: the query language (:mod:`.query`) and the search index over the library.

Textual-free: the app's filter field and `reader search` share the parser and the index.
"""
