"""The model committed in the repository: it loads on a fresh clone and meets the issue's targets on the held-out
split (a regression guard for retraining; the split is never used for training or tuning)."""

from io import StringIO

import pytest

from wuye.intake.models import LeadStatus
from wuye.testing import make_estate
from wuye.triage import demo, ml
from wuye.triage.evaluation import evaluate
from wuye.triage.models import Suggestion
from wuye.triage.split import DATA_DIR

from .factories import make_lead


@pytest.fixture(scope="module")
def shipped():
    return ml.load()


def test_shipped_artifact_matches_its_manifest_and_the_installed_sklearn(shipped):
    manifest = ml.read_manifest()
    assert shipped.version == manifest["version"]
    assert (ml.artifact_dir() / manifest["file"]).stat().st_size < 50 * 1024 * 1024


def test_shipped_model_meets_the_targets_on_the_held_out_split(shipped):
    result = evaluate(shipped, ml.read_jsonl(DATA_DIR / "test.jsonl"))
    assert result["n"] > 500
    assert result["macro_f1"] >= 0.85
    assert result["urgent_recall"] >= 0.95


def test_held_out_split_shares_no_text_with_training():
    train = {e.text for e in ml.read_jsonl(DATA_DIR / "train.jsonl")}
    test = {e.text for e in ml.read_jsonl(DATA_DIR / "test.jsonl")}
    assert train and test and not train & test


@pytest.mark.django_db
def test_demo_backfills_suggestions_for_new_leads(shipped):
    ml.reset_model(shipped)
    try:
        estate = make_estate()
        leads = [
            make_lead(estate=estate, text=t) for t in ("电梯又坏了", "车位被外来车辆占了", "物业不公示收支")
        ]
        out = StringIO()
        demo.build(seed=1, scale=1.0, out=out)
        assert "新生成建议 3 条" in out.getvalue()
        assert Suggestion.objects.filter(lead__in=leads).count() == 3
        demo.build(seed=1, scale=1.0, out=StringIO())
        assert Suggestion.objects.count() == 3
        assert all(lead.status == LeadStatus.NEW for lead in leads)
    finally:
        ml.reset_model()


def test_shipped_model_on_the_realistic_held_out_file(shipped):
    """Issue 14's honest check: complaints written separately from all training data (never trained or tuned on).
    A regression guard at the figures measured when the file was first evaluated (docs/triage.md)."""
    result = evaluate(shipped, ml.read_jsonl(DATA_DIR / "realistic.jsonl"))
    assert result["n"] >= 160 and result["urgent_support"] >= 30
    assert result["macro_f1"] >= 0.88
    assert result["urgent_recall"] >= 0.97
    # calibrated: where a percentage is shown, the suggestion is right at least nine times in ten
    assert result["confident_accuracy"] >= 0.9
