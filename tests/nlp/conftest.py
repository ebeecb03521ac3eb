"""Fixtures for the NLP tests: the shared model (once per session), basic mode, a small project.

With ``QUALCODE_SPACY_MODEL`` set (as ``.ci/run`` does) the model must load: a missing or broken
model fails the model tests instead of skipping them. Without it they skip, saying why. Basic
mode is always asked for explicitly, so it is tested whatever is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project
from qualcode.store.project import RoleRule

CODEBOOK_YAML = """\
codebook: Testbok NLP
codes:
  - id: hap
    name: Opplevelser av håp
    keywords: [håp, framtid, det går an]
    examples: ["Nå tenker jeg at det kanskje går an for meg òg."]
    children:
      - id: hap-gjen
        name: Håpet kan ligge i gjenkjennelsen
        keywords: [kjenne seg igjen, ikke alene, min egen historie]
      - id: hap-ansatte
        name: Ansattes håp
        keywords: [påfyll, tro på jobben, håp for pasientene]
  - id: hverdag
    name: Meningsfull hverdag
    keywords: [hverdag, jobb, stå opp]
  - id: fagdag
    name: Videreutvikling av fagdagen
    keywords: [pause, for lang]
"""

LONG_TURN = (
    "Det verste er egentlig ikke kveldene. Det er formiddagene, når alle andre er på jobb og "
    "jeg bare sitter der og venter på at dagen skal gå. Jeg har prøvd å lage meg en plan, med "
    "faste ting hver dag, men det holder bare en uke eller to. Så sklir det ut igjen, og da blir "
    "jeg liggende. Hun som snakket i går sa at hun begynte med å gå tur med hunden hver morgen, "
    "og at det var det som reddet henne. Det tror jeg på. Jeg trenger noe som gjør at jeg må stå "
    "opp, noe som venter på meg. Kanskje en jobb, eller bare noe frivillig på en kafé. Det får "
    "jeg snakke med miljøterapeuten min om når vi skal lage planen for hjemreisen."
)

DIALOGUE = [
    ("Intervjuer", "Velkommen. Kjente dere dere igjen i noe av det dere hørte på fagdagen i går?"),
    ("P1", "Eh, jeg kjente meg faktisk igjen, altså. Det var som å høre min egen historie, og Kari sa det samme."),
    ("P2", "Æ veit ikkje helt. Men æ var ikkje aleine om det, det skjønte æ. Og det gir håp for framtida."),
    ("Ansatt 1", "For meg ga det påfyll. Jeg har jobbet her lenge, og det er godt å se at det nytter."),
    ("P1", "Ja. [latter]"),
    ("P3", "Nei, altså... Jeg håper det går bra. Håpet er der nå. Men dagen var for lang, og vi trengte flere pauser."),
    ("P2", LONG_TURN),
    ("Intervjuer", "Takk. Karis mor var også der, hørte jeg. Hvordan var det i Hamar?"),
    ("P3", "Karris mor og Kari bodde i Hamar før. Det var håpløst å få hjelp der, men det var før."),
]

ROLES = [RoleRule.parse("P*=pasient"), RoleRule.parse("Ansatt*=ansatt"), RoleRule.parse("Intervjuer=moderator")]


def make_parsed(dialogue) -> ParsedTranscript:
    return ParsedTranscript.from_dialogue(dialogue)


def create_project(path: Path, dialogue=DIALOGUE, *, codebook: str = CODEBOOK_YAML, group: str = "FG1",
                   title: str = "Fokusgruppe 1") -> Project:
    project = Project.create(path, codebook=parse_codebook(codebook, "test.yaml"))
    project.import_transcript(make_parsed(dialogue), title=title, group=group, roles=ROLES)
    return project


def span_of(project: Project, tid: str, quote: str) -> tuple[int, int]:
    start = project.text(tid).index(quote)
    return start, start + len(quote)


@pytest.fixture(scope="session")
def model_pipeline():
    """The real model named by QUALCODE_SPACY_MODEL: loaded once; a failure to load fails."""
    from qualcode.nlp.model import ENV_VAR, load_pipeline

    name = os.environ.get(ENV_VAR)
    if not name:
        pytest.skip(f"{ENV_VAR} is not set; the model tests run in CI (.ci/run) against the shared model")
    try:
        pipeline = load_pipeline(name)
    except UserError as exc:
        pytest.fail(f"{ENV_VAR}={name} cannot be loaded: {exc}")
    if pipeline.basic:
        pytest.fail(f"{ENV_VAR}={name} gave basic mode instead of a model")
    return pipeline


@pytest.fixture(scope="session")
def basic_pipeline():
    from qualcode.nlp.model import load_pipeline

    return load_pipeline(basic=True)


@pytest.fixture(params=["model", "basic"])
def pipeline(request):
    """Each test using this runs against the model and in basic mode."""
    return request.getfixturevalue(f"{request.param}_pipeline")


@pytest.fixture
def nlp_project(tmp_path: Path):
    project = create_project(tmp_path / "studie.qualcode")
    yield project
    project.close()
