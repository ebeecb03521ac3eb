"""The analysis: offsets into the stored text, run once, cached by checksum and model."""

from __future__ import annotations

import dataclasses
import itertools
import threading

from qualcode.core.edits import TextEdit
from qualcode.nlp import analysis as analysis_module
from qualcode.nlp.analysis import analyse, cached_analysis, get_analysis
from qualcode.store import Project
from qualcode.store import analysis as cache

from .conftest import create_project


class CountingNlp:
    """Wraps a spaCy pipeline and counts the texts it is asked to process."""

    def __init__(self, nlp):
        self.nlp = nlp
        self.texts = 0

    def pipe(self, stream, **kwargs):
        yield from self.nlp.pipe(self._count(stream), **kwargs)

    def _count(self, stream):
        for item in stream:
            self.texts += 1
            yield item


def counting(pipeline):
    return dataclasses.replace(pipeline, nlp=CountingNlp(pipeline.nlp))


def test_tokens_are_code_point_offsets_into_the_stored_text_and_labels_are_not_analysed(tmp_path, pipeline):
    dialogue = [("Intervjuer", "Hva så dere? 😊 Fortell!"), ("P1", "Æ så håpet i øynene på henne. Ærlig talt, ja.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    text = project.text("T1")
    result = get_analysis(project, "T1", pipeline)
    forms = [result.form(i) for i in range(len(result))]
    assert "håpet" in forms and "øynene" in forms and "😊" in forms
    for i in range(len(result)):
        assert text[result.starts[i]:result.ends[i]] == forms[i]
    assert "Intervjuer" not in forms and "P1" not in forms  # labels lie between turns
    sentences = [text[s:e] for s, e in result.sentence_spans()]
    assert "Æ så håpet i øynene på henne." in sentences
    project.close()


def test_a_second_analysis_reads_the_cache_and_never_runs_the_pipeline(tmp_path, pipeline):
    path = tmp_path / "p.qualcode"
    project = create_project(path)
    first = counting(pipeline)
    result = analyse(project, pipeline=first)
    assert result.analysed == ["T1"] and first.nlp.texts > 0
    project.close()

    analysis_module._MEMO.clear()  # as in a new process: only what is in the file
    again = counting(pipeline)
    with Project.open(path) as reopened:
        result = analyse(reopened, pipeline=again)
        assert result.cached == ["T1"] and result.analysed == []
        tokens = get_analysis(reopened, "T1", again)
        assert len(tokens) > 50
        [entry] = [e for e in cache.entries(reopened) if e.model == pipeline.name]
        assert entry.checksum == reopened.transcript("T1").checksum and entry.model_version == pipeline.version
    assert again.nlp.texts == 0


def test_an_edited_text_or_another_model_gets_its_own_analysis(tmp_path, model_pipeline, basic_pipeline):
    project = create_project(tmp_path / "p.qualcode")
    analyse(project, pipeline=model_pipeline)
    analyse(project, pipeline=basic_pipeline)
    assert {e.model for e in cache.entries(project)} == {"nb_ud_norne_sm", "basic-nb"}
    start = project.text("T1").index("Kari sa")
    project.edit_text("T1", [TextEdit(start, start + 4, "[Navn 1]")])
    assert cached_analysis(project, "T1", model_pipeline) is None
    counted = counting(model_pipeline)
    assert analyse(project, pipeline=counted).analysed == ["T1"] and counted.nlp.texts > 0
    project.close()


def test_progress_is_reported_in_words_and_a_stop_keeps_nothing_half_done(tmp_path, basic_pipeline):
    project = create_project(tmp_path / "p.qualcode")
    project.import_transcript(project_parsed_second(), title="FG2")
    seen = []
    analyse(project, pipeline=basic_pipeline, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 100
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))

    other = create_project(tmp_path / "q.qualcode")
    result = analyse(other, pipeline=basic_pipeline, should_stop=lambda: True)
    assert result.cancelled and result.analysed == [] and cache.entries(other) == []
    project.close()
    other.close()


def project_parsed_second():
    from .conftest import make_parsed

    return make_parsed([("P1", "En annen gruppe, en annen dag."), ("P2", "Jeg tror det gikk fint.")])


def test_a_worker_thread_can_analyse_by_project_path(tmp_path, basic_pipeline):
    path = tmp_path / "p.qualcode"
    create_project(path).close()
    results = []
    worker = threading.Thread(target=lambda: results.append(analyse(path, pipeline=basic_pipeline)))
    worker.start()
    worker.join(30)
    assert results and results[0].analysed == ["T1"]
    with Project.open(path, backup=False) as project:
        assert cached_analysis(project, "T1", basic_pipeline) is not None


def test_bracketed_notes_are_not_words(nlp_project, pipeline):
    result = get_analysis(nlp_project, "T1", pipeline)
    latter = [i for i in range(len(result)) if result.form(i) == "latter"]
    assert latter and all(not result.is_word(i) for i in latter)
