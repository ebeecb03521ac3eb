"""Settings of the NLP assistance that the CLI shows without loading any of it (no spaCy)."""

AUTO_CODER = "auto"  # autocode's units are recorded under this coder only, never a person's
WEAK_MARK = "(weak: a guess)"  # after the name of a suggestion with little evidence, wherever it is shown

# autocode's default minimum score, chosen on the tuning studies (bench/bench_suggest.py), and
# what it did on the held-out studies, which nobody tuned on; printed with every run.
AUTOCODE_MIN_SCORE = 0.40
AUTOCODE_MEASURED = ("on the three held-out bench studies it coded 25-27 % of the units the coders marked, 88-94 % "
                     "of them with their code (on the four tuning studies 6-30 %, 90-94 % right: fewer where the "
                     "codebook has few keywords)")
