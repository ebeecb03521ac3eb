"""The analysis of a transcript: sentences, tokens, lemmas, POS and entities, made once.

What is analysed is what was said: each speaker turn's span (labels and timestamps between
turns are left out), so sentences never run across speakers. Every offset in an
:class:`Analysis` is a code-point offset into the transcript's stored text, like every other
offset in qualcode.

The result is cached in the project file (:mod:`qualcode.store.analysis`) under the text's
checksum and the model's name and version; :func:`get_analysis` and :func:`analyse` read the
cache first, so reopening a project never runs the pipeline again. :func:`analyse` batches all
turns of all transcripts through one ``nlp.pipe`` call and reports progress in words, so a TUI
worker thread can drive a progress bar and cancel between turns.

The serialised form (``FORMAT``) is zlib-compressed JSON of columns: token start offsets as
deltas, token lengths, lemma and POS as indices into a string table, flags, sentence starts
(token indices), entities (offsets and label). A blob of another format is treated as missing.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Project
from ..store import analysis as cache
from .dialect import DIALECT, family, fold, normalise, stem
from .model import Pipeline, load_pipeline

MAX_CACHED_ANALYSIS = 512 * 1024 * 1024  # bytes, unpacked
FORMAT = 1
MAX_SEGMENT = 50_000  # characters; longer turns are analysed in pieces split at line breaks

# Token flags.
WORD = 1          # has a letter and is not inside a [bracketed] transcription note
PUNCT = 2
NOTE = 4          # inside [latter], [pause], [uklart], [00:12:31] ...
NUMBER = 8

_NOTE = re.compile(r"\[[^\[\]\n]{1,40}\]")

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Analysis:
    """Tokens of one transcript text, as parallel columns; offsets into the stored text."""

    checksum: str
    model: str
    version: str
    basic: bool
    text: str
    segments: list[tuple[int, int]]
    starts: list[int]
    ends: list[int]
    lemmas: list[str]
    pos: list[str]
    flags: list[int]
    sent_starts: list[int]                     # token index where each sentence begins
    ents: list[tuple[int, int, str]]           # (start, end, label), offsets into the text
    _keys: list[frozenset[str]] | None = field(default=None, repr=False)
    _lemma_keys: list[str] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.starts)

    def form(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def is_word(self, i: int) -> bool:
        return bool(self.flags[i] & WORD)

    def tokens_in(self, start: int, end: int) -> range:
        """Indices of the tokens lying wholly inside ``[start, end)``."""
        return range(bisect_left(self.starts, start), bisect_right(self.ends, end))

    def sentences(self) -> list[tuple[int, int]]:
        """Sentences as token index ranges ``[i, j)``."""
        bounds = self.sent_starts + [len(self.starts)]
        return [(bounds[k], bounds[k + 1]) for k in range(len(self.sent_starts)) if bounds[k] < bounds[k + 1]]

    def sentence_spans(self, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Sentences as character spans, clipped to ``[start, end)``."""
        end = len(self.text) if end is None else end
        out = []
        for i, j in self.sentences():
            s, e = self.starts[i], self.ends[j - 1]
            if e <= start or s >= end:
                continue
            out.append((max(s, start), min(e, end)))
        return out

    def lemma_key(self, i: int) -> str:
        """The word's key for counting (vocabulary, TF-IDF): its lemma, or in basic mode its
        lowercased form, with dialect forms mapped to Bokmål."""
        keys = self._lemma_keys
        if keys is None:
            keys = self.lemma_keys()
        return keys[i]

    def lemma_keys(self) -> list[str]:
        """Every token's :meth:`lemma_key`, in order; worked out once, once per distinct form
        (and lemma)."""
        if self._lemma_keys is None:
            known: dict[tuple[str, str], str] = {}
            keys = []
            for start, end, lemma in zip(self.starts, self.ends, self.lemmas):
                pair = (self.text[start:end], lemma)
                key = known.get(pair)
                if key is None:
                    form = pair[0]
                    if self.basic:
                        key = normalise(form)
                    else:  # a dialect form the table knows wins over the model's guess (sida: side, not sid)
                        key = DIALECT.get(fold(form)) or normalise(lemma)
                    known[pair] = key
                keys.append(key)
            self._lemma_keys = keys
        return self._lemma_keys

    def keys(self, i: int) -> frozenset[str]:
        """Every key a word can be matched by: its form and lemma (or stem), dialect-normalised;
        a verb also by its :func:`~.dialect.family` key (``håper`` → ``håpe``, ``håp``)."""
        if self._keys is None:
            keys = []
            for k in range(len(self.starts)):
                form = self.form(k)
                if self.basic:
                    keys.append(frozenset({normalise(form), stem(form)}))
                else:
                    lemma = normalise(self.lemmas[k])
                    found = {normalise(form), lemma, fold(self.lemmas[k])}
                    if self.pos[k] == "VERB":
                        found.add(family(lemma))
                    keys.append(frozenset(found))
            self._keys = keys
        return self._keys[i]

    # --- serialisation -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        strings: dict[str, int] = {}

        def sid(value: str) -> int:
            index = strings.get(value)
            if index is None:
                index = strings[value] = len(strings)
            return index

        previous = 0
        deltas = []
        for s in self.starts:
            deltas.append(s - previous)
            previous = s
        payload = {
            "format": FORMAT, "model": self.model, "version": self.version, "basic": self.basic,
            "segments": [x for seg in self.segments for x in seg],
            "start": deltas,
            "length": [e - s for s, e in zip(self.starts, self.ends)],
            "lemma": [sid(v) for v in self.lemmas],
            "pos": [sid(v) for v in self.pos],
            "flags": self.flags,
            "sents": self.sent_starts,
            "ents": [[s, e, sid(label)] for s, e, label in self.ents],
        }
        payload["strings"] = list(strings)
        return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, data: bytes, text: str, checksum: str) -> Analysis | None:
        try:
            # A cached analysis is a few times the text; a damaged or planted blob must not
            # unpack without bound (treated as missing: the text is analysed again).
            inflate = zlib.decompressobj()
            raw = inflate.decompress(data, MAX_CACHED_ANALYSIS)
            if inflate.unconsumed_tail:
                return None
            payload = json.loads(raw)
        except (zlib.error, ValueError):
            return None
        if payload.get("format") != FORMAT:
            return None
        strings = payload["strings"]
        starts, pos = [], 0
        for delta in payload["start"]:
            pos += delta
            starts.append(pos)
        seg = payload["segments"]
        return cls(
            checksum=checksum, model=payload["model"], version=payload["version"], basic=payload["basic"],
            text=text, segments=[(seg[k], seg[k + 1]) for k in range(0, len(seg), 2)],
            starts=starts, ends=[s + n for s, n in zip(starts, payload["length"])],
            lemmas=[strings[k] for k in payload["lemma"]], pos=[strings[k] for k in payload["pos"]],
            flags=payload["flags"], sent_starts=payload["sents"],
            ents=[(s, e, strings[k]) for s, e, k in payload["ents"]],
        )


@dataclass(slots=True)
class AnalyseResult:
    """What :func:`analyse` did: which transcripts it ran the pipeline on, which came cached."""

    model: str
    version: str
    basic: bool
    analysed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    words: int = 0
    seconds: float = 0.0
    cancelled: bool = False


# --- segments ------------------------------------------------------------------------------------


def segments_of(project: Project, tid: str) -> list[tuple[int, int]]:
    """The spans analysed: each turn (split at line breaks when very long); the whole text
    when a transcript has no turns. A transcriber's marks (pauses, overlaps, sounds, times: the
    transcript's annotations) are cut out: they are not words."""
    text = project.text(tid)
    spans = [(t.start, t.end) for t in project.turns(tid) if t.end > t.start] or [(0, len(text))]
    marks = project.annotations(tid)
    if marks:
        spans = _without(spans, marks)
    out = []
    for s, e in spans:
        while e - s > MAX_SEGMENT:
            cut = text.rfind("\n", s + 1, s + MAX_SEGMENT)
            if cut <= s:
                cut = text.rfind(" ", s + 1, s + MAX_SEGMENT)
            if cut <= s:
                cut = s + MAX_SEGMENT
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def _without(spans: list[tuple[int, int]], marks: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """``spans`` with the marks' characters taken out (both in text order)."""
    out: list[tuple[int, int]] = []
    i = 0
    for start, end in spans:
        while i < len(marks) and marks[i][1] <= start:
            i += 1
        j, s = i, start
        while j < len(marks) and marks[j][0] < end:
            if marks[j][0] > s:
                out.append((s, marks[j][0]))
            s = max(s, marks[j][1])
            j += 1
        if s < end:
            out.append((s, end))
    return [(s, e) for s, e in out if e > s]


# --- the in-process memo -------------------------------------------------------------------------
# Decoded analyses of the project files this process has open, so a TUI asking for suggestions
# again and again does not decode the same blob each time. Keyed by the project file too: one
# project's cache never answers for another's.

_MEMO: OrderedDict[tuple[str, str, str, str], Analysis] = OrderedDict()
_MEMO_SIZE = 48


def _memo_key(project: Project, checksum: str, model: str, version: str) -> tuple[str, str, str, str]:
    return (str(project.path), checksum, model, version)


def _remember(project: Project, analysis: Analysis) -> Analysis:
    key = _memo_key(project, analysis.checksum, analysis.model, analysis.version)
    _MEMO[key] = analysis
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return analysis


def cached_analysis(project: Project, tid: str, pipeline: Pipeline | None = None, *,
                    model: str | None = None, version: str | None = None) -> Analysis | None:
    """The cached analysis of a transcript by this pipeline (or model name and version), or None.

    With neither, the newest cached analysis by any real model, else by basic mode.
    """
    transcript = project.transcript(tid)
    checksum = transcript.checksum
    if pipeline is not None:
        model, version = pipeline.name, pipeline.version
    if model is None:
        found = cache.entries(project, checksum)
        found.sort(key=lambda e: e.model.startswith("basic"))
        candidates = [(e.model, e.model_version) for e in found]
    else:
        candidates = [(model, version)] if version is not None else []  # no version: nothing can match
    for name, ver in candidates:
        hit = _MEMO.get(_memo_key(project, checksum, name, ver))
        if hit is not None:
            return hit
        data = cache.load(project, checksum, name, ver)
        if data is None:
            continue
        analysis = Analysis.from_bytes(data, project.text(transcript.id), checksum)
        if analysis is not None and analysis.segments == segments_of(project, transcript.id):
            return _remember(project, analysis)
    return None


def get_analysis(project: Project, tid: str, pipeline: Pipeline | None = None) -> Analysis:
    """The analysis of a transcript: from the cache, or made now (and cached)."""
    pipeline = pipeline or load_pipeline()
    found = cached_analysis(project, tid, pipeline)
    if found is not None:
        return found
    analyse(project, [tid], pipeline=pipeline)
    found = cached_analysis(project, tid, pipeline)
    assert found is not None
    return found


# --- running the pipeline ------------------------------------------------------------------------


def analyse(project: Project | str | Path, tids: Iterable[str] | None = None, *,
            pipeline: Pipeline | None = None, progress: Progress | None = None,
            should_stop: Callable[[], bool] | None = None, force: bool = False) -> AnalyseResult:
    """Analyse transcripts (all when ``tids`` is None) that the cache does not hold yet.

    ``progress(done, total)`` is called in words of turn text (cached transcripts count as done
    at once); ``should_stop()`` is checked between turns, and a transcript left half-done is not
    stored. Pass a project *path* when calling from a worker thread: SQLite connections belong
    to the thread that opened them, so the function then opens its own.
    """
    if not isinstance(project, Project):
        with Project.open(project, backup=False) as opened:
            return analyse(opened, tids, pipeline=pipeline, progress=progress, should_stop=should_stop, force=force)
    pipeline = pipeline or load_pipeline()
    started = time.perf_counter()
    result = AnalyseResult(pipeline.name, pipeline.version, pipeline.basic)
    ids = [t.id for t in project.transcripts()] if tids is None else [project.transcript(t).id for t in tids]
    ids = list(dict.fromkeys(ids))
    todo: list[tuple[str, str, str, list[tuple[int, int]]]] = []
    total = done = 0
    for tid in ids:
        segments = segments_of(project, tid)
        text = project.text(tid)
        words = sum(len(text[s:e].split()) for s, e in segments)
        total += words
        if not force and cached_analysis(project, tid, pipeline) is not None:
            result.cached.append(tid)
            done += words
        else:
            todo.append((tid, project.transcript(tid).checksum, text, segments))
    if progress:
        progress(done, total)
    for finished, checksum, analysis in _run(pipeline, todo, progress, should_stop, done, total):
        if finished is None or checksum is None or analysis is None:
            result.cancelled = True
            break
        cache.save(project, checksum, pipeline.name, pipeline.version, analysis.to_bytes())
        _remember(project, analysis)
        result.analysed.append(finished)
    result.words = total
    result.seconds = time.perf_counter() - started
    return result


def analyse_texts(pipeline: Pipeline, texts: list[str]) -> list[Analysis]:
    """Analyse loose texts (codebook examples, keywords, a bench corpus); nothing is cached."""
    jobs = [(str(k), "", text, [(0, len(text))]) for k, text in enumerate(texts)]
    return [a for _, _, a in _run(pipeline, jobs, None, None, 0, 0) if a is not None]


def _run(pipeline: Pipeline, jobs, progress, should_stop, done: int, total: int
         ) -> Iterator[tuple[str | None, str | None, Analysis | None]]:
    """Run the pipeline over every segment of every job in one batched ``nlp.pipe`` stream."""
    if not jobs:
        return

    def stream():
        for j, (_, _, text, segments) in enumerate(jobs):
            for k, (s, e) in enumerate(segments):
                yield text[s:e], (j, k)

    builders: list[_Builder | None] = [_Builder(pipeline, text, checksum, segments)
                                       for _, checksum, text, segments in jobs]
    for doc, (j, k) in pipeline.nlp.pipe(stream(), as_tuples=True, batch_size=256):
        builder = builders[j]
        assert builder is not None  # each job's segments come in order, its builder freed after the last
        start, end = jobs[j][3][k]
        builder.add(doc, start, end)
        if progress:
            done += len(jobs[j][2][start:end].split())
            progress(done, total)
        if k == len(jobs[j][3]) - 1:
            yield jobs[j][0], jobs[j][1], builder.finish()
            builders[j] = None  # free it
        if should_stop is not None and should_stop():
            yield None, None, None  # cancelled: what is half-done is dropped
            return


class _Builder:
    """Collects the columns of one transcript's analysis from its segments' Docs."""

    def __init__(self, pipeline: Pipeline, text: str, checksum: str, segments):
        from spacy.attrs import ENT_IOB, IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, POS, SENT_START

        self.attrs = [IDX, LENGTH, LEMMA, POS, IS_PUNCT, IS_SPACE, SENT_START]
        self.ent_iob = ENT_IOB
        self.pipeline = pipeline
        self.text = text
        self.checksum = checksum
        self.segments = segments
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.lemmas: list[str] = []
        self.pos: list[str] = []
        self.flags: list[int] = []
        self.sent_starts: list[int] = []
        self.ents: list[tuple[int, int, str]] = []
        self.strings: dict[int, str] = {}

    def _string(self, doc, key: int) -> str:
        value = self.strings.get(key)
        if value is None:
            value = self.strings[key] = doc.vocab.strings[key] if key else ""
        return value

    def add(self, doc, offset: int, end: int) -> None:
        rows = doc.to_array(self.attrs).tolist()
        has_sents = doc.has_annotation("SENT_START")
        text = self.text[offset:end]  # the segment's text (doc.text would join every token anew)
        notes = [(m.start(), m.end()) for m in _NOTE.finditer(text)]
        basic = self.pipeline.basic
        first = True
        note_i = 0
        for idx, length, lemma, pos, is_punct, is_space, sent_start in rows:
            if is_space:
                continue
            token = text[idx:idx + length]
            if first or (has_sents and sent_start == 1):
                self.sent_starts.append(len(self.starts))
                first = False
            while note_i < len(notes) and notes[note_i][1] <= idx:
                note_i += 1
            in_note = note_i < len(notes) and notes[note_i][0] <= idx < notes[note_i][1]
            if in_note:
                flag = NOTE
            elif any(ch.isalpha() for ch in token):
                flag = WORD
            elif any(ch.isdigit() for ch in token):
                flag = NUMBER
            else:
                flag = PUNCT
            if is_punct and flag == WORD:
                flag = PUNCT
            self.starts.append(offset + idx)
            self.ends.append(offset + idx + length)
            self.lemmas.append(token.lower() if basic or not lemma else self._string(doc, lemma))
            self.pos.append(self._string(doc, pos) if pos else "")
            self.flags.append(flag)
        for ent in doc.ents:
            self.ents.append((offset + ent.start_char, offset + ent.end_char, ent.label_))

    def finish(self) -> Analysis:
        p = self.pipeline
        return Analysis(
            checksum=self.checksum, model=p.name, version=p.version, basic=p.basic, text=self.text,
            segments=list(self.segments), starts=self.starts, ends=self.ends, lemmas=self.lemmas,
            pos=self.pos, flags=self.flags, sent_starts=self.sent_starts, ents=self.ents,
        )
