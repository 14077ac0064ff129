from pathlib import Path

import pytest

from wuye.triage import ml

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def mini_model() -> ml.TriageModel:
    """A small model trained on the test fixture lines (seconds), independent of the shipped artifact."""
    return ml.train(ml.read_jsonl(DATA / "mini.jsonl"), cv_folds=3)


@pytest.fixture
def model(mini_model):
    ml.reset_model(mini_model)
    yield mini_model
    ml.reset_model()


@pytest.fixture
def no_model(settings, tmp_path):
    settings.WUYE = {**settings.WUYE, "TRIAGE": {"ARTIFACT_DIR": str(tmp_path / "none")}}
    ml.reset_model()
    yield
    ml.reset_model()
