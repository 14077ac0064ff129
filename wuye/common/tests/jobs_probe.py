"""A job for the worker-kill test (listed in PROCRASTINATE_IMPORT_PATHS by the test settings only): it notes each
start, waits while a block file exists, then appends its one effect."""

import time
from pathlib import Path

from wuye.common.jobs import app


@app.task(name="tests.probe")
def probe(*, path: str) -> None:
    effect = Path(path)
    with effect.with_suffix(".starts").open("a") as f:
        f.write("start\n")
    block = effect.with_suffix(".block")
    while block.exists():
        time.sleep(0.05)
    with effect.open("a") as f:
        f.write("done\n")
