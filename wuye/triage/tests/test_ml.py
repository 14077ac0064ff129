import json

import pytest

from wuye.triage import ml, rules
from wuye.triage.split import split

from .conftest import DATA


def test_prediction_has_ranked_top3_probabilities_and_explaining_terms(mini_model):
    p = mini_model.predict("2号楼电梯今天又困人了，被困二十分钟物业才来")
    assert p.category == p.top3[0][0]
    probs = [prob for _, prob in p.top3]
    assert probs == sorted(probs, reverse=True)
    assert 0 < sum(probs) <= 1.0001
    assert all(code in ml.LABELS for code, _ in p.top3)
    assert p.terms and all(len(t) >= 2 for t in p.terms)
    assert p.urgent and "电梯困人" in p.urgent_reason
    assert p.model_version == mini_model.version


def test_a_plain_service_complaint_is_not_urgent(mini_model):
    p = mini_model.predict("物业从来不公示收费标准，问了也不说")
    assert not p.urgent
    assert p.urgent_reason == ""


@pytest.mark.parametrize(
    "text,label",
    [
        ("我妈被关在电梯里出不来了", "电梯困人"),
        ("楼下消防通道被电动车堵得死死的", "消防通道/安全出口被堵"),
        ("楼道里一股煤气味，好刺鼻", "燃气泄漏"),
        ("12楼外墙瓷砖掉下来差点砸到人", "高空坠物"),
        ("一楼电表箱电线裸露还在冒火花", "电线裸露/漏电"),
        ("下暴雨地下室配电房进水了", "配电房/水泵房进水"),
    ],
)
def test_safety_rules_name_the_danger(text, label):
    assert label in [h.label for h in rules.urgent_hits(text)]


@pytest.mark.parametrize(
    "text",
    [
        "消防通道已经清理干净了，谢谢物业",
        "电梯经常关人，上个月关了三次，物业说是偶尔",
        "小区组织了一次消防演练，消防通道堵塞的问题讲得很清楚",
        "电梯广告费去哪了",
    ],
)
def test_safety_rules_ignore_resolved_habitual_or_unrelated_statements(text):
    assert rules.urgent_hits(text) == []


def test_saved_artifact_loads_and_predicts_the_same(mini_model, tmp_path):
    path = ml.save(mini_model, directory=tmp_path)
    manifest = ml.read_manifest(tmp_path)
    assert manifest["file"] == path.name and manifest["sklearn"] and len(manifest["sha256"]) == 64
    loaded = ml.load(tmp_path)
    text = "物业把会所租出去开麻将馆"
    assert loaded.predict(text) == mini_model.predict(text)


def test_tampered_or_mismatched_artifacts_are_refused(mini_model, tmp_path):
    path = ml.save(mini_model, directory=tmp_path)
    manifest_path = tmp_path / "current.json"
    good = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**good, "sklearn": "0.0.1"}))
    with pytest.raises(ml.ModelUnavailable, match="scikit-learn 0.0.1"):
        ml.load(tmp_path)
    manifest_path.write_text(json.dumps({**good, "code_version": "0"}))
    with pytest.raises(ml.ModelUnavailable, match="代码版本"):
        ml.load(tmp_path)
    manifest_path.write_text(json.dumps(good))
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ml.ModelUnavailable, match="校验值"):
        ml.load(tmp_path)
    assert not ml.usable_artifact_exists(tmp_path)


def test_missing_artifact_gives_a_clear_message(tmp_path):
    with pytest.raises(ml.ModelUnavailable, match="triage_train"):
        ml.load(tmp_path)


def test_bad_jsonl_lines_are_reported_by_line_number(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text(
        '{"text": "电梯坏了", "category": "3.1", "urgency": "normal"}\n'
        '{"text": "x", "category": "9.9"}\nnot json\n\n',
        encoding="utf-8",
    )
    errors: list[str] = []
    assert [e.category for e in ml.read_jsonl(f, errors=errors)] == ["3.1"]
    assert errors[0].startswith("第 2 行") and "9.9" in errors[0]
    assert errors[1].startswith("第 3 行")
    with pytest.raises(ml.DataError):
        ml.read_jsonl(f)


def test_split_is_deterministic_stratified_and_keeps_near_duplicates_together():
    base = ml.read_jsonl(DATA / "mini.jsonl")
    examples = list(base)
    for e in base:  # near-duplicates: the same complaint with punctuation and a number changed
        examples.append(ml.Example(e.text.replace("，", " ") + "。", e.category, e.urgency))
        examples.append(ml.Example("来电人反映：" + e.text, e.category, e.urgency))
    train, test = split(examples)
    again_train, again_test = split(list(reversed(examples)))
    assert {e.text for e in test} == {e.text for e in again_test}
    assert len(train) + len(test) == len(examples)
    test_texts = {e.text for e in test}
    for e in base:
        variants = {e.text, e.text.replace("，", " ") + "。"}
        assert len(variants & test_texts) in (0, len(variants))
    share = len(test) / len(examples)
    assert 0.1 < share < 0.35


def test_a_batch_predicts_exactly_what_one_at_a_time_does(mini_model):
    """The worker classifies leads in batches; every field must equal the single-text prediction."""
    texts = [e.text for e in ml.read_jsonl(DATA / "mini.jsonl")][:40] + [
        "",
        "电梯",
        "3栋电梯困人了，快来救人！",
    ]
    batch = mini_model.predict_batch(texts)
    assert len(batch) == len(texts)
    assert batch == [mini_model.predict(t) for t in texts]
    assert mini_model.predict_batch([]) == []


def test_saved_artifact_does_not_carry_derived_arrays(mini_model, tmp_path):
    mini_model.predict("物业把会所租出去开麻将馆")  # computes the centred weights once
    loaded = ml.load(ml.save(mini_model, directory=tmp_path).parent)
    assert "_centred" not in loaded.__dict__
    assert loaded.predict("物业把会所租出去开麻将馆") == mini_model.predict("物业把会所租出去开麻将馆")
