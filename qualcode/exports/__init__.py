"""Exports: meaning units (CSV, XLSX, JSON), theme summaries, quotes, the chart and agreement
reports, each written whole or not at all (:mod:`.atomic`) and de-identified by the store's one
redactor. Exports never import the NLP layer: the command passes in what it found."""
