import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from wuye.testing import make_estate, make_user
from wuye.triage import ml
from wuye.triage.models import Correction
from wuye.triage.services import correction_review

from .conftest import DATA


@pytest.fixture
def model_dir(settings, tmp_path):
    directory = tmp_path / "artifacts"
    settings.WUYE = {**settings.WUYE, "TRIAGE": {"ARTIFACT_DIR": str(directory)}}
    ml.reset_model()
    yield directory
    ml.reset_model()


def _run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_train_writes_a_versioned_artifact_and_if_missing_skips_a_second_time(model_dir):
    out = _run("triage_train", "--train-file", str(DATA / "mini.jsonl"))
    manifest = ml.read_manifest(model_dir)
    assert manifest["version"] in out and manifest["n_train"] == 45
    assert (model_dir / manifest["file"]).stat().st_size == manifest["size_bytes"]
    assert "跳过训练" in _run("triage_train", "--if-missing", "--train-file", str(DATA / "mini.jsonl"))
    assert ml.read_manifest(model_dir)["version"] == manifest["version"]


@pytest.mark.django_db
def test_eval_prints_per_class_figures_confusion_and_json_last_line(model_dir):
    _run("triage_train", "--train-file", str(DATA / "mini.jsonl"))
    out = _run("triage_eval", str(DATA / "mini.jsonl"))
    lines = out.strip().splitlines()
    result = json.loads(lines[-1])
    assert set(result) == {"macro_f1", "accuracy", "urgent_recall", "urgent_precision", "n"}
    assert result["n"] == 45 and 0 <= result["macro_f1"] <= 1
    assert "混淆矩阵" in out and "macro-F1" in out and any(line.startswith("3.1") for line in lines)


@pytest.mark.django_db
def test_eval_without_model_or_with_an_empty_file_fails_clearly(model_dir, tmp_path):
    with pytest.raises(CommandError, match="triage_train"):
        _run("triage_eval", str(DATA / "mini.jsonl"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有可评估"):
        _run("triage_eval", str(empty))


@pytest.mark.django_db
def test_train_include_corrections_learns_from_staff_corrections(model_dir, model):
    estate = make_estate()
    staff = make_user("task_force")
    from wuye.intake.services import lead_create

    lead = lead_create(actor=staff, channel="phone", text="小区化粪池满了污水漫到路上", estate=estate).lead
    correction = Correction.objects.create(
        lead=lead,
        text=lead.text,
        suggested_category="1.2",
        category="1.1",
        urgent=False,
        actor=staff,
        created_at=lead.created_at,
    )
    # issue 14: a correction is used only once the office head has approved it
    from wuye.triage.selectors import correction_examples

    assert correction_examples() == []
    correction_review(actor=make_user("bureau_admin"), correction_id=correction.pk, approve=True)
    out = _run("triage_train", "--train-file", str(DATA / "mini.jsonl"), "--include-corrections")
    assert "加入更正 1 条" in out
    assert ml.read_manifest(model_dir)["n_train"] == 46


def test_split_writes_train_and_test_without_overlap(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (DATA / "mini.jsonl").read_text(encoding="utf-8").splitlines()
    (corpus / "a.jsonl").write_text("\n".join(lines[:25]) + "\n", encoding="utf-8")
    (corpus / "b.jsonl").write_text("\n".join(lines[25:]) + "\n{broken\n", encoding="utf-8")
    out = _run("triage_split", "--corpus", str(corpus), "--out", str(tmp_path))
    train = ml.read_jsonl(tmp_path / "train.jsonl")
    test = ml.read_jsonl(tmp_path / "test.jsonl")
    assert len(train) + len(test) == 45 and test
    assert not {e.text for e in train} & {e.text for e in test}
    assert "共 45 条" in out
