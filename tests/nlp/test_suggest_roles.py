"""Roles: which family a speaker's role is in and which a subtheme is for (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.codebook import load_codebook
from qualcode.nlp.roles import Roles

ROOT = Path(__file__).resolve().parents[2]
KNOWN = Roles()  # the known families only, no project's roles


class Named:
    def __init__(self, name: str, parent: str | None = "theme"):
        self.name, self.parent = name, parent


@pytest.mark.parametrize(("name", "families"), [
    ("Ansattes håp", {"ansatt"}),
    ("Tidspress – brukernes og pårørendes erfaringer", {"pasient", "pårørende"}),
    ("Tillit – ungdommenes perspektiv", {"pasient"}),
    ("Relasjon og tillit – de ansattes erfaringer", {"ansatt"}),
    ("Helsefagarbeideres arbeidsdag", {"ansatt"}),
    ("Håp (ansatte)", {"ansatt"}),
    ("Håp – pasienter", {"pasient"}),
    ("Ansatte: tid", {"ansatt"}),
    ("Håp – brukarane", {"pasient"}),
    # a role as the topic, not whose view it is: for everyone
    ("Verktøy for brukermedvirkning", set()),
    ("Pårørende og oppfølging", set()),
    ("Tid for pasientene", set()),
    ("Legevaktas rolle", set()),
    ("Ungdomstid og skole", set()),
])
def test_a_subtheme_is_for_the_role_whose_view_its_name_gives(name, families):
    assert KNOWN.of_code(Named(name)) == families
    assert KNOWN.of_code(Named(name, parent=None)) == set()  # a theme is for everyone


def test_the_example_codebooks_topics_are_not_held_back_by_role():
    book = load_codebook(ROOT / "codebooks" / "et_bedre_liv.yaml")
    roles = {c.id: KNOWN.of_code(c) for c in book.codes if KNOWN.of_code(c)}
    assert roles == {"hap-ansatte": {"ansatt"}, "recovery-pasienter": {"pasient"},
                     "recovery-ansatte": {"ansatt"}}


@pytest.mark.parametrize(("role", "family"), [
    ("sykepleier", "ansatt"), ("helsefagarbeider", "ansatt"), ("lege", "ansatt"), ("miljøterapeut", "ansatt"),
    ("erfaringskonsulent", "ansatt"), ("pasient", "pasient"), ("ungdom", "pasient"), ("pårørende", "pårørende"),
    ("helsesykepleier", "ansatt"), ("ruskonsulent", "ansatt"), ("fengselsbetjent", "ansatt"), ("psykolog", "ansatt"),
    ("innsatt", "pasient"), ("moderator", None), ("", None), (None, None), ("gjest", None),
])
def test_a_speakers_role_is_in_a_family(role, family):
    assert KNOWN.family(role) == family


def test_the_projects_own_roles_are_families_of_their_own():
    """A role in no known family still meets the subthemes named for it: a forelder's view is
    "foreldrenes erfaringer" (the e of -er dropped), an elev's "Elevenes stemme"."""
    roles = Roles(["forelder", "elev", "sykepleier", "moderator", None])
    assert (roles.family("forelder"), roles.family("Elev 2"), roles.family("sykepleier")) == ("forelder", "elev", "ansatt")
    assert roles.family("moderator") is None and roles.family("gjest") is None
    assert roles.of_code(Named("Skam – foreldrenes erfaringer")) == {"forelder"}
    assert roles.of_code(Named("Elevenes stemme")) == {"elev"}
    assert roles.of_code(Named("Skam – de ansattes erfaringer")) == {"ansatt"}
    assert KNOWN.of_code(Named("Skam – foreldrenes erfaringer")) == set()  # without the project's roles
