"""Choosing the pipeline: option, environment, default; basic mode; nothing downloaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcode.core.errors import UserError
from qualcode.nlp import model


def test_the_option_wins_over_the_environment_which_wins_over_the_default(monkeypatch):
    monkeypatch.setenv(model.ENV_VAR, "/somewhere/env_model")
    assert model.requested_model("/my/model") == ("/my/model", "option")
    assert model.requested_model(None) == ("/somewhere/env_model", "environment")
    monkeypatch.delenv(model.ENV_VAR)
    assert model.requested_model(None) == ("nb_core_news_sm", "default")


def test_a_missing_default_model_means_basic_mode_with_the_install_command(monkeypatch):
    monkeypatch.delenv(model.ENV_VAR, raising=False)
    monkeypatch.setattr(model, "DEFAULT_MODEL", "nb_not_installed_sm")
    pipeline = model.load_pipeline()
    assert pipeline.basic and pipeline.name == "basic-nb"
    assert "nb_not_installed_sm is not installed" in pipeline.notice()
    assert "python -m spacy download nb_core_news_sm" in pipeline.notice()
    assert pipeline.components == ["sentencizer"] and not pipeline.has_lemmas and not pipeline.has_ner


def test_a_model_asked_for_by_name_that_cannot_be_loaded_is_an_error_not_basic_mode(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="cannot load the spaCy model .* given by --nlp-model"):
        model.load_pipeline(str(tmp_path / "no_such_model"))
    monkeypatch.setenv(model.ENV_VAR, str(tmp_path / "also_missing"))
    with pytest.raises(UserError, match="QUALCODE_SPACY_MODEL"):
        model.load_pipeline()


def test_basic_mode_can_be_asked_for(basic_pipeline):
    assert model.load_pipeline("basic") is basic_pipeline
    status_words = basic_pipeline.notice()
    assert status_words.startswith("qualcode: basic mode (as asked)")


def test_the_model_reports_its_real_name_version_and_components(model_pipeline):
    assert model_pipeline.name == "nb_ud_norne_sm" and model_pipeline.version == "0.1.0"
    assert not model_pipeline.basic
    assert {"tok2vec", "senter", "ner"} <= set(model_pipeline.components)
    assert model_pipeline.has_lemmas and model_pipeline.has_ner
    status = model.pipeline_status(model_pipeline.requested)
    assert status["model"] == "nb_ud_norne_sm" and status["basic_mode"] is False
    assert {"PER", "GPE_LOC", "ORG"} <= set(status["entity_types"])
    assert model.load_pipeline(model_pipeline.requested) is model_pipeline  # loaded once


def test_importing_the_nlp_modules_does_not_import_spacy():
    code = ("import sys; import qualcode.nlp.suggest, qualcode.nlp.proposals, qualcode.nlp.search, "
            "qualcode.nlp.names, qualcode.nlp.vocabulary, qualcode.nlp.analysis; "
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
