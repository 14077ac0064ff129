"""Triage benchmark: prediction latency on one core, training time, model file size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_triage .venv/bin/python bench/triage.py

The model needs no database, so this benchmark creates none (DATABASE_URL is only read by the settings).
Targets: median prediction < 20 ms, training < 2 min, model file < 50 MB.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.local")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import django  # noqa: E402

django.setup()

import statistics  # noqa: E402

from wuye.triage import ml  # noqa: E402
from wuye.triage.split import DATA_DIR  # noqa: E402


def main() -> None:
    manifest = ml.read_manifest()
    t = time.perf_counter()
    model = ml.get_model()
    load_s = time.perf_counter() - t
    size_mb = (ml.artifact_dir() / manifest["file"]).stat().st_size / 1e6
    texts = [e.text for e in ml.read_jsonl(DATA_DIR / "test.jsonl")]
    model.predict(texts[0])  # warm-up (jieba dictionary)
    samples, cpu_samples = [], []
    for i in range(1000):
        text = texts[i % len(texts)]
        t, cpu = time.perf_counter(), time.process_time()
        model.predict(text)
        samples.append((time.perf_counter() - t) * 1000)
        cpu_samples.append((time.process_time() - cpu) * 1000)
    samples.sort()
    train = ml.read_jsonl(DATA_DIR / "train.jsonl")
    t, cpu = time.perf_counter(), time.process_time()
    fresh = ml.train(train)
    with tempfile.TemporaryDirectory() as tmp:
        path = ml.save(fresh, directory=Path(tmp))
        fresh_mb = path.stat().st_size / 1e6
    train_s, train_cpu = time.perf_counter() - t, time.process_time() - cpu
    print(
        f"model {model.version}: {manifest['n_features']} features, file {size_mb:.2f} MB, load {load_s:.2f} s"
    )
    print(
        f"predict (1 core, 1000 complaints): median {statistics.median(samples):.2f} ms, "
        f"p95 {samples[949]:.2f} ms, max {samples[-1]:.2f} ms; CPU median {statistics.median(cpu_samples):.2f} ms"
        f"   [target < 20 ms]"
    )
    print(
        f"train on {len(train)} lines incl. 5-fold CV: {train_s:.1f} s wall, {train_cpu:.1f} s CPU (1 core), "
        f"file {fresh_mb:.2f} MB"
        f"   [targets < 120 s, < 50 MB]"
    )


if __name__ == "__main__":
    main()
