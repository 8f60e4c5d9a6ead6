"""The W3C Web Annotation Data Model export (JSON-LD), and reading it back.

:mod:`.vocabulary` holds what both directions share (the context, reader's extension
properties, ids and IRIs), :mod:`.document` writes the document, :mod:`.parsing` reads one.

One ``AnnotationCollection`` (``@context`` ``http://www.w3.org/ns/anno.jsonld``) whose first
and only ``AnnotationPage`` holds, per article, in export order:

- its tags, as one annotation with motivation ``tagging`` and a ``TextualBody`` with purpose
  ``tagging`` per tag, targeting the whole article (its id is derived from the article's
  hash, so it is the same in every export);
- each note, motivation ``commenting``, the note as a ``TextualBody`` with purpose
  ``commenting`` and format ``text/markdown``;
- each highlight, motivation ``highlighting`` (no body, unless a note was added to it);
- each entity correction, motivation ``classifying`` (``editing`` for a removal), the new
  label as a ``TextualBody`` with purpose ``classifying``, and the correction itself under
  the extension property ``reader:correction`` (``{"action", "label", "scope", "text"}``),
  which other tools ignore.

Annotation ids are ``urn:uuid:`` IRIs of reader's own ids. A passage target is a
``SpecificResource`` whose ``selector`` holds a ``TextQuoteSelector`` (exact, prefix,
suffix) and a ``TextPositionSelector`` in the source's text (re-anchored there; an
orphaned passage has the quote selector alone, and a passage that is not where it was
made says so under ``reader:state``); a whole-article target has no selector. Its
``source`` is the article: ``id`` ``urn:sha256:<hex>`` (the SHA-256 of its displayed text,
which is what reader's annotations hang on), ``label`` its title and ``via`` the ``file:``
IRI it was read from.

**Positions are Unicode code points** into the article's displayed text (the sanitised,
newline-normalised text that ``reader entities`` also counts in). Hypothesis and browser
tools count UTF-16 code units instead; the two differ after any character outside the
Basic Multilingual Plane (most emoji), so such a tool should trust the quote selector,
which reader also re-anchors by.

:func:`parse` reads this back, and accepts the variants the model allows (a single
annotation or page, ``type`` and ``motivation`` as arrays, a selector not in an array,
any ISO-8601 time, ids that are not ``urn:uuid:``, which get a stable uuid derived from
them). What reader cannot hold, it refuses with the place named: an article not identified
by ``urn:sha256:``, another motivation, a non-text body, several targets.
"""

from reader.export.w3c.document import chunks, render, to_document
from reader.export.w3c.parsing import parse
from reader.export.w3c.vocabulary import CONTEXT, CORRECTION_KEY, STATE_KEY

__all__ = ["CONTEXT", "CORRECTION_KEY", "STATE_KEY", "chunks", "parse", "render", "to_document"]
