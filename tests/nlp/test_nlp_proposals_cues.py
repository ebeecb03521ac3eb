"""A unit is a meaning, not a cue: in caption-style transcripts (WebVTT, SRT) a speaker's
sentence that runs on into the next cue, kept as a turn of its own, is proposed as one unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.cli import main

DATA = Path(__file__).parent / "data"
KARI = ("Jeg tenkte mye på det hun sa om å komme hjem til en tom leilighet, for sånn var det for meg "
        "også. Ingen ventet på meg da.")
TOR = "Det som hjalp meg var at hun sa det rett ut, uten å pynte på noe. Da tenkte jeg at det kanskje går an for meg òg."


@pytest.fixture(params=["model", "basic"])
def model_arg(request):
    if request.param == "basic":
        return "basic"
    return request.getfixturevalue("model_pipeline").requested


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture
def project(tmp_path, capsys):
    path = tmp_path / "captions.qualcode"
    run(capsys, "init", path)
    run(capsys, "import", path, DATA / "captions.vtt", DATA / "captions.srt", "--drop-suspect",
        "--role", "Intervjuer=moderator", "--role", "Kari=pasient", "--role", "Tor=pasient")
    return path


def propose(capsys, path, tid, model):
    return json.loads(run(capsys, "propose", path, tid, "--json", "--nlp-model", model))


def test_a_sentence_over_a_dropped_cue_and_the_speakers_next_cue_is_one_proposal(project, capsys, model_arg):
    # Kari's sentence ran over a cue the recogniser invented (dropped at import): two turns now.
    kari = [p for p in propose(capsys, project, "T1", model_arg) if p["speaker"] == "Kari"]
    assert [(p["text"], p["turn"], p["last_turn"], p["parts"]) for p in kari] == [(KARI, 1, 2, 1)]
    text = json.loads(run(capsys, "show", project, "T1", "--json"))
    assert kari[0]["start"] == text["turns"][1]["start"] and kari[0]["end"] == text["turns"][2]["end"]


def test_a_cue_without_a_voice_attributed_later_joins_its_speakers_sentence(project, capsys, model_arg):
    run(capsys, "speakers", project, "T1", "--set", "Tor", "--turns", "5")
    tor = [p for p in propose(capsys, project, "T1", model_arg) if p["speaker"] == "Tor"]
    assert [(p["text"], p["turn"], p["last_turn"], p["sentences"]) for p in tor] == [(TOR, 4, 6, 2)]
    # taken as it stands: one unit over the three cues, quoted as the speaker said it
    run(capsys, "code-add", project, "hap", "Opplevelser av håp")
    run(capsys, "code", project, "T1", "--start", tor[0]["start"], "--end", tor[0]["end"],
        "--code", "hap", "--coder", "AB")
    out = project.parent / "quotes.md"
    run(capsys, "export", project, "quotes", "--format", "md", "--out", out, "--no-deid")
    assert TOR in " ".join(out.read_text(encoding="utf-8").split())
    again = [p for p in propose(capsys, project, "T1", model_arg) if p["speaker"] == "Tor"]
    assert len(again) == 1 and len(again[0]["coded"]) == 1


def test_speakerless_captions_join_only_where_the_sentence_goes_on(project, capsys, model_arg):
    # No speakers (Whisper): a sentence end may be a change of speaker, so only the sentence
    # broken by the dropped cue is joined.
    texts = [p["text"] for p in propose(capsys, project, "T2", model_arg)]
    assert texts == [
        "Hva tok dere med dere fra fagdagen?",
        "Jeg tenkte mye på det hun sa om å komme hjem til en tom leilighet, for sånn var det for meg også.",
        "Ingen ventet på meg da, og det var tungt i starten.",
    ]
