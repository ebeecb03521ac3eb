"""Which spaCy pipeline qualcode uses, and basic mode when there is none.

The model is chosen in this order: ``--nlp-model NAME_OR_PATH``, then the environment variable
``QUALCODE_SPACY_MODEL``, then the default ``nb_core_news_sm``. Nothing is ever downloaded:

* the default not being installed is normal; qualcode then runs in **basic mode** (a blank
  ``nb`` pipeline with rule-based sentences; matching on word forms, no lemmas, no NER) and says
  so, with the command that installs the real model;
* a model the user asked for by name (option or environment) that cannot be loaded is an error,
  so a typo never silently degrades the analysis. ``--nlp-model basic`` asks for basic mode.

Loaded pipelines are kept per process: the TUI, the CLI and the tests load a model once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import UserError

DEFAULT_MODEL = "nb_core_news_sm"
ENV_VAR = "QUALCODE_SPACY_MODEL"
BASIC = "basic"
BASIC_NAME = "basic-nb"
INSTALL_HINT = f"python -m spacy download {DEFAULT_MODEL}"
# Components that the analysis reads; anything else (the parser, say) is switched off for speed.
# nb_core_news_sm finds sentences with its parser; its (disabled) senter does that much faster.
_UNUSED = ("parser",)

_lock = threading.Lock()
_loaded: dict[str, Pipeline] = {}


@dataclass(slots=True)
class Pipeline:
    """A loaded spaCy pipeline and what qualcode needs to know about it.

    ``name`` and ``version`` identify the model in the analysis cache (``nb_ud_norne_sm`` 0.1.0,
    ``nb_core_news_sm`` 3.8.0, or ``basic-nb`` with spaCy's version in basic mode).
    """

    nlp: Any
    name: str
    version: str
    basic: bool
    components: list[str]
    disabled: list[str] = field(default_factory=list)
    requested: str | None = None
    source: str = "default"  # "option", "environment", "default" or "basic"
    path: str | None = None
    vectors: int = 0
    reason: str | None = None  # why basic mode

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}" + (" (basic mode)" if self.basic else "")

    @property
    def has_lemmas(self) -> bool:
        return not self.basic and any("lemmatizer" in c for c in self.components)

    @property
    def has_ner(self) -> bool:
        return "ner" in self.components

    def notice(self) -> str:
        """The one line every command prints on stderr in basic mode."""
        why = self.reason or "as asked"
        return (f"qualcode: basic mode ({why}): rule-based sentences, matching on word forms, "
                f"no lemmas and no name recognition; for the real model run: {INSTALL_HINT}")


def requested_model(name_or_path: str | None = None) -> tuple[str, str]:
    """(model name or path, where it came from): the option, the environment, or the default."""
    if name_or_path:
        return name_or_path, "option"
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env, "environment"
    return DEFAULT_MODEL, "default"


def load_pipeline(name_or_path: str | None = None, *, basic: bool = False) -> Pipeline:
    """Load (once per process) the pipeline chosen by the option, the environment or the default.

    Returns a basic-mode pipeline when the default model is not installed, or when ``basic`` is
    true or the name is ``basic``. Raises :class:`UserError` when a model that was asked for by
    name cannot be loaded.
    """
    requested, source = requested_model(name_or_path)
    if basic or requested == BASIC:
        return _cached(BASIC, lambda: _basic(None, "basic"))
    return _cached(requested, lambda: _load(requested, source))


def _cached(key: str, make) -> Pipeline:
    with _lock:
        if key not in _loaded:
            _loaded[key] = make()
        return _loaded[key]


def _load(requested: str, source: str) -> Pipeline:
    import spacy

    try:
        nlp = spacy.load(requested)
    except Exception as exc:
        if source == "default":
            why = "is not installed" if isinstance(exc, OSError) else f"could not be loaded ({type(exc).__name__})"
            return _basic(requested, "default", reason=f"the spaCy model {requested} {why}")
        where = "--nlp-model" if source == "option" else f"${ENV_VAR}"
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            f"cannot load the spaCy model {requested!r} given by {where} ({detail[:160]}); "
            f"check the name or folder, install the model (for example: {INSTALL_HINT}), "
            f"or use --nlp-model basic"
        ) from None
    # Sentences by the fast senter instead of the parser when the model has both.
    if "senter" in nlp.disabled and "parser" in nlp.pipe_names:
        nlp.enable_pipe("senter")
    for name in _UNUSED:
        if name in nlp.pipe_names and name not in nlp.disabled:
            if name == "parser" and "senter" not in nlp.pipe_names:
                continue  # the parser is this model's only source of sentences
            nlp.disable_pipe(name)
    meta = nlp.meta
    lang = meta.get("lang", nlp.lang)
    base = meta.get("name") or "pipeline"
    name = base if base.startswith(f"{lang}_") else f"{lang}_{base}"
    path = str(Path(requested).resolve()) if Path(requested).exists() else None
    return Pipeline(
        nlp=nlp, name=name, version=str(meta.get("version", "0")), basic=False,
        components=list(nlp.pipe_names), disabled=list(nlp.disabled), requested=requested,
        source=source, path=path, vectors=int(nlp.vocab.vectors.shape[0] if nlp.vocab.vectors.size else 0),
    )


def _basic(requested: str | None, source: str, reason: str | None = None) -> Pipeline:
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return Pipeline(
        nlp=nlp, name=BASIC_NAME, version=f"spacy-{spacy.__version__}", basic=True,
        components=list(nlp.pipe_names), requested=requested, source="basic" if source == "basic" else source,
        reason=reason,
    )


def pipeline_status(name_or_path: str | None = None) -> dict[str, Any]:
    """What ``qualcode nlp-status`` reports: the model in use, its version and components."""
    import spacy

    pipeline = load_pipeline(name_or_path)
    requested, source = requested_model(name_or_path)
    return {
        "model": pipeline.name,
        "version": pipeline.version,
        "basic_mode": pipeline.basic,
        "requested": requested,
        "requested_by": {"option": "--nlp-model", "environment": ENV_VAR, "default": "default"}[source],
        "path": pipeline.path,
        "components": pipeline.components,
        "disabled": pipeline.disabled,
        "lemmas": pipeline.has_lemmas,
        "entities": pipeline.has_ner,
        "entity_types": _labels(pipeline, "ner"),
        "vectors": pipeline.vectors,
        "spacy_version": spacy.__version__,
        "reason": pipeline.reason,
        "install": None if not pipeline.basic else INSTALL_HINT,
    }


def _labels(pipeline: Pipeline, component: str) -> list[str]:
    if component not in pipeline.nlp.pipe_names:
        return []
    return sorted(pipeline.nlp.get_pipe(component).labels)
