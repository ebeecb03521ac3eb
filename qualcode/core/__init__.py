"""The core: domain models, codebook, coding operations and agreement.

Nothing here imports Textual or spaCy; every other layer points toward this one.
"""
