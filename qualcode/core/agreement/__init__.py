"""Agreement between coders: aligned meaning units, Krippendorff's α, Cohen's κ, unitized α.

Two researchers code the same transcripts independently and then discuss until they share an
understanding (see DOMAIN.md). This module measures how far apart they were before that talk,
for the methods section, and lists every place they differ, for the talk itself.

What is compared, exactly (the same text is in :data:`DEFINITIONS`, the README and every report):

* A **meaning unit** (:class:`AlignedUnit`) is a cluster of codings, by any coder of the
  comparison and with any code, that overlap one another by at least one character, in one
  transcript; the clusters are the connected components of the overlap relation, so two codings
  that only touch (one ends where the other starts) are in different units. Every coder of the
  comparison rates every unit: their value is the set of codes they applied to any coding in
  the cluster; a coder who coded nothing there has the empty set, ``(none)``.
* **Krippendorff's α (nominal), per code**: units as above; a coder's value is 1 if the code is
  in their set for the unit, else 0. Units where nobody used the code count as agreement on
  "not this code". **Overall**: the value is the whole set, so ``{hap}`` against
  ``{hap, rec}`` is a disagreement; ``(none)`` is a value like any other. Percent agreement
  over units is the share of units where every coder has the same value. The 95 % interval is
  a percentile bootstrap: the comparison's units resampled with replacement (seedable); a
  transcript's or role's α is computed on its units within each resample.
* **Cohen's κ at character level**: the characters of participant turns (turns with a speaker
  whose role is not the interviewer's; :func:`~qualcode.core.coverage.participant_spans`).
  Per code, each character is coded (by a coder, with that code) or not, as NVivo's coding
  comparison does. **Overall** κ is pooled: one 2×2 table over every (code, character) pair,
  for the codes in the table; the plain mean of the per-code κ is given beside it. With more
  than two coders κ is computed for every pair and the figure shown is their mean (Light's κ).
  Percent agreement is the share of characters (of (code, character) pairs overall) on which
  all coders agree. A role's figures count the characters of that role's turns.
* **Unitized α (uα)** after Krippendorff (1995; 2004, §12.4), per code and overall
  (ΣDo/ΣDe over the codes): the continuum is the participant characters of the compared
  transcripts, one after another (interviewer turns and labels taken out), and each coder's
  sections for a code are their codings of it there, overlapping ones merged. This is the uα
  that DKPro Statistics implements, not the |uα|, cuα and Cuα of Krippendorff et al. (2016)
  that ATLAS.ti reports.
* Per transcript: the units of that transcript; its characters. Per role: the units that
  overlap a participant turn of that role (a unit spanning a patient's and a staff member's turn
  counts under both; one touching no participant turn under ``(outside participant turns)``);
  the characters of that role's turns.

A figure is ``None`` where the statistic is not defined: α when every value is the same, κ when
both coders are constant and equal (no code, or all of it), uα when nobody used the code.

Pure Python with numpy for the bootstrap and the sums; no store, no UI.

The modules: :mod:`.alignment` (meaning units), :mod:`.coefficients` (α, κ, uα one at a time),
:mod:`.weighted` (α over units as arrays, for the bootstrap), :mod:`.space` (participant
characters and roles), :mod:`.tables` (the rows and the report), :mod:`.report`
(:func:`agreement_report`), :mod:`.definitions` (:data:`DEFINITIONS`). Import from here.
"""

from .alignment import AlignedUnit, Coded, align, disagreements
from .alignment import _check_coders as _check_coders
from .alignment import _unit as _unit
from .coefficients import (
    UnitizedAlpha,
    UnitizedFigures,
    cohen_kappa,
    krippendorff_alpha_nominal,
    unitized_alpha,
)
from .coefficients import _alpha as _alpha
from .coefficients import _merge_overlapping as _merge_overlapping
from .coefficients import _partition as _partition
from .coefficients import _u_disagreements as _u_disagreements
from .definitions import DEFAULT_BOOTSTRAP, DEFAULT_SEED, DEFINITIONS, NO_ROLE, NONE_VALUE, OUTSIDE
from .report import _mean_kappa as _mean_kappa
from .report import _Measure as _Measure
from .report import _pair as _pair
from .report import agreement_report
from .space import _Space as _Space
from .tables import AgreementReport, Figures, PairKappa, Segment, segment_dict, unit_dict
from .weighted import _alpha_vector as _alpha_vector
from .weighted import _Plan as _Plan
from .weighted import _plan as _plan
from .weighted import _unit_tables as _unit_tables
from .weighted import _value_triplets as _value_triplets
from .weighted import _weighted_alphas as _weighted_alphas
from .weighted import unit_alphas, weighted_unit_alphas

__all__ = [
    "DEFAULT_BOOTSTRAP", "DEFAULT_SEED", "DEFINITIONS", "NONE_VALUE", "NO_ROLE", "OUTSIDE",
    "AgreementReport", "AlignedUnit", "Coded", "Figures", "PairKappa", "Segment", "UnitizedAlpha",
    "UnitizedFigures", "agreement_report", "align", "cohen_kappa", "disagreements", "krippendorff_alpha_nominal",
    "segment_dict", "unit_alphas", "unit_dict", "unitized_alpha", "weighted_unit_alphas",
]
