"""Norwegian NLP assistance (spaCy). The only layer that imports spaCy, and only when used.

* :mod:`.model` chooses and loads the pipeline (``--nlp-model``, ``QUALCODE_SPACY_MODEL``,
  ``nb_core_news_sm``), or basic mode when none is installed;
* :mod:`.analysis` analyses transcripts once and caches the result in the project file;
* :mod:`.proposals` proposes meaning units; :mod:`.suggest` suggests codes with their evidence
  (the talk around a span, :mod:`.context`; role families, :mod:`.roles`; the project's words for
  a code, :mod:`.expansion`; the coder's units, :mod:`.learned`) and :mod:`.autocode` runs the
  ``auto`` coder's first pass; :mod:`.matching` and :mod:`.dialect` find keywords by lemma, word
  sequence, dialect form and spelling variant;
* :mod:`.search` is lemma search and keyword-in-context; :mod:`.names` finds what to
  de-identify; :mod:`.vocabulary` gives each theme its distinctive words.

Nothing here downloads anything. Importing this package does not import spaCy.
"""
