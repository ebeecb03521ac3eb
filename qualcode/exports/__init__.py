"""Exports: meaning units (CSV, XLSX, JSON), theme summaries, quotes, the chart, the framework
matrix and agreement reports, each written whole or not at all (:mod:`.atomic`), de-identified by
the store's one redactor, on A4 in Norwegian or English (:mod:`.labels`, :mod:`.docx_layout`,
:mod:`.xlsx_layout`). Exports never import the NLP layer: the command passes in what it found."""
