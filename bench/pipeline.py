"""The spaCy pipeline alone, as the baselines use it: the same package, only ``ner`` running.

Loaded with spaCy's own API, not through reader's spaCy engine, so that the baselines carry
none of reader's code; :func:`load` checks that the pipes that run are the ones reader runs.
"""

from __future__ import annotations

from typing import Any

#: What reader's spaCy engine leaves out (reader/entities/engines/spacy_engine.py).
EXCLUDED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter")


def pipeline_name() -> str:
    """The pipeline reader uses with no --model (the best installed)."""
    from reader.entities.engines.spacy_engine import SpacyEngine

    return SpacyEngine().resolve_name()


def load(name: str | None = None) -> Any:
    """``spacy.load`` the pipeline with only ``ner`` enabled (what reader runs)."""
    import warnings

    import spacy

    with warnings.catch_warnings():  # en_core_web_md 3.7.1 on spaCy 3.8: W095, as reader
        warnings.filterwarnings("ignore", message=r"\[W095\]", category=UserWarning)
        nlp = spacy.load(name or pipeline_name(), exclude=list(EXCLUDED))
    for pipe in list(nlp.pipe_names):
        if pipe != "ner":
            nlp.disable_pipe(pipe)
    if nlp.pipe_names != ["ner"]:
        raise RuntimeError(f"unexpected pipes running: {nlp.pipe_names}")
    return nlp
