"""The words of an agreement report: what each figure means, and the names of the special values.

:data:`DEFINITIONS` is the text every report, the CLI's ``--json`` and the README give; keep it
and the package docstring of :mod:`qualcode.core.agreement` saying the same.
"""

from __future__ import annotations

NONE_VALUE = "(none)"
NO_ROLE = "(no role)"
OUTSIDE = "(outside participant turns)"
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 1

DEFINITIONS: list[tuple[str, str]] = [
    ("Meaning unit",
     "A cluster of codings, by any of the compared coders and with any code, that overlap one another by at "
     "least one character, in one transcript (the connected components of the overlap relation; codings that "
     "only touch are separate units). Each coder's value for a unit is the set of codes they applied in it; a "
     "coder who coded nothing there has the empty set, written (none)."),
    ("Krippendorff's alpha per code",
     "Nominal alpha over all meaning units; a coder's value is 1 if they applied the code in the unit, else 0 "
     "(units where nobody used the code count as agreement on 'not this code')."),
    ("Krippendorff's alpha overall",
     "Nominal alpha over all meaning units; a coder's value is their whole set of codes in the unit, so "
     "{A} against {A, B} is a disagreement and (none) is a value like any other."),
    ("Percent agreement (units)",
     "Share of meaning units on which every coder has the same value (per code: presence; overall: the set)."),
    ("95 % interval for alpha",
     "Percentile bootstrap (2.5th and 97.5th percentiles): each resample draws as many meaning units as the "
     "comparison has, with replacement, from all of them; a transcript's or a role's alpha is computed on its own "
     "units within each resample. The number of resamples and the seed are stated; resamples where alpha is "
     "undefined are left out. Intervals are given for alpha overall (whole comparison, per transcript, per role) "
     "and per code and theme over the whole comparison."),
    ("Cohen's kappa (characters)",
     "Over the characters of participant turns (turns with a speaker who is not the interviewer); per code, a "
     "character is coded or not by each coder, as in NVivo's coding comparison. Overall kappa is pooled: one "
     "2x2 table over every (code, character) pair for the codes in the table; the mean of the per-code kappas "
     "is given beside it. With more than two coders, kappa is computed for each pair and their mean is shown "
     "(Light's kappa)."),
    ("Percent agreement (characters)",
     "Share of participant characters (overall: of (code, character) pairs) on which all coders agree that the "
     "code is there or is not."),
    ("Unitized alpha (u-alpha)",
     "Krippendorff's u-alpha (1995; 2004, section 12.4), per code and overall (sum of observed over sum of "
     "expected disagreements over the codes). The continuum is the participant characters of the compared "
     "transcripts one after another; a coder's sections for a code are their codings of it there, overlapping "
     "ones merged. Not the |u-alpha|, cu-alpha and Cu-alpha of Krippendorff et al. (2016) that ATLAS.ti "
     "reports."),
    ("Per transcript and per role",
     "A transcript's figures use its own units and characters. A role's figures use the units that overlap a "
     "participant turn of that role (a unit spanning two roles counts under both; a unit in no participant turn "
     "under '(outside participant turns)') and the characters of that role's turns."),
    ("Undefined (—)",
     "Alpha when every value is the same; kappa when both coders are constant and equal (the code nowhere, or "
     "everywhere); u-alpha when nobody used the code."),
]
