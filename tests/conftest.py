from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent

CODEBOOK_YAML = """\
codebook: Testbok
codes:
  - id: hap
    name: Opplevelser av håp
    colour: "#E69F00"
    keywords: [håp, kjenne seg igjen]
    children:
      - id: hap-sol
        name: Solskinnshistorier
      - id: hap-gjen
        name: Gjenkjennelse
  - id: rec
    name: Opplevelser av recovery
"""

DIALOGUE = [
    ("Intervjuer", "Hva tenkte dere om fagdagen i går?"),
    ("P1", "Eh, jeg kjente meg igjen, altså. Det var som å høre min egen historie."),
    ("Ansatt 1", "For meg ga det håp, faktisk. Man ser at det går an."),
    ("P2", "Æ veit ikkje helt, men det var fint å høre at ho klarte seg."),
]


def make_parsed(dialogue=DIALOGUE) -> ParsedTranscript:
    return ParsedTranscript.from_dialogue(dialogue)


ROLES = [RoleRule.parse("P*=pasient"), RoleRule.parse("Ansatt*=ansatt"), RoleRule.parse("Intervjuer=moderator")]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project.create(tmp_path / "studie.qualcode", codebook=parse_codebook(CODEBOOK_YAML, "test.yaml"))
    p.import_transcript(make_parsed(), title="Fokusgruppe 1", group="FG1", roles=ROLES)
    yield p
    p.close()
