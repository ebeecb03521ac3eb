"""A transcriber's marks (pauses, overlaps, sounds, times) are stored as annotations of the text:
they move with every edit and repair, and the NLP layer does not read them as words."""

from __future__ import annotations

from pathlib import Path

from qualcode.importers import parse_transcript
from qualcode.nlp.analysis import segments_of

NOSCRIBE = Path(__file__).resolve().parent.parent / "data" / "transcribers" / "noscribe.html"


def marks(project, tid):
    text = project.text(tid)
    return [(kind, text[start:end]) for start, end, kind in project.annotations(tid)]


def test_marks_are_stored_and_follow_repairs_and_their_undo(project):
    parsed = parse_transcript(NOSCRIBE)
    tid = project.import_transcript(parsed, title=parsed.title or "x").transcript.id
    stored = marks(project, tid)
    assert ("pause", "(..)") in stored and ("overlap", "//") in stored and ("pause", "(12 seconds pause)") in stored
    assert len(stored) == len(parsed.annotations)
    project.rename_speaker(tid, "S02", "Moderator")  # rewrites labels before the marks: they move
    assert marks(project, tid) == stored
    last = len(project.turns(tid)) - 1
    project.drop_turn(tid, last)  # the invented credit line at the end
    project.merge_turns(tid, 0, 1)
    assert marks(project, tid) == stored
    project.undo()
    project.undo()
    project.undo()
    assert marks(project, tid) == stored
    assert project.text(tid) == parsed.text


def test_nlp_segments_leave_the_marks_out(project):
    parsed = parse_transcript(NOSCRIBE)
    tid = project.import_transcript(parsed, title="x").transcript.id
    text = project.text(tid)
    read = "".join(text[s:e] for s, e in segments_of(project, tid))
    assert "(..)" not in read and "//" not in read and "seconds pause" not in read
    assert "Jeg kan begynne" in read and "Ja, ikke sant" in read
