"""Exporting annotations: the store and the library in, a file in one of five formats out.

- ``json`` (:mod:`.json_format`): everything, described by ``schema.json``; importable;
- ``w3c`` (:mod:`.w3c`): the W3C Web Annotation Data Model as JSON-LD; importable;
- ``jsonl`` (:mod:`.jsonl`): NER training data for spaCy, Prodigy and doccano;
- ``markdown`` (:mod:`.markdown`): titles, tags, notes and highlights for note apps;
- ``csv`` (:mod:`.csv_format`): one row per annotation, for spreadsheets.

:mod:`.formats` holds one record per format (name, file endings, what it needs, how it
renders) that everything else reads, :mod:`.collect` gathers what every format writes,
:mod:`.exporting` renders and writes an export (``export_to_folder`` is the app's entry
point), :mod:`.writing` writes files safely, :mod:`.importing` reads ``json`` and ``w3c``
back into the store. Nothing here imports Textual: the command line and the app share
it. This module and :mod:`.formats` only name the formats, so that importing them (the
command line does, to build its parsers) costs nothing.
"""

from __future__ import annotations

from reader.export.formats import FORMAT_NAMES

__all__ = ["FORMATS"]

FORMATS = FORMAT_NAMES
"""The export formats' names, the native one first (see :mod:`.formats`)."""
