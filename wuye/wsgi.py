import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.production")
application = get_wsgi_application()

logger = logging.getLogger("wuye.wsgi")


def warm_up_triage() -> None:
    """Load the triage model (and jieba's dictionary, through one prediction) before the first request.

    Loaded on first use, the first resident's submission after a start waited ~3.4 s for it. Only the web
    process imports this module (tests and management commands do not), so only it pays at start-up;
    `WUYE_PRELOAD_TRIAGE=0` turns it off. A missing or refused model is not fatal: the lead hooks already
    cope with it (suggestions are backfilled later).
    """
    from wuye.kernel.conf import county_setting

    if not county_setting("PRELOAD_TRIAGE"):
        return
    from wuye.triage import ml

    try:
        ml.get_model().predict("电梯停运，物业不处理")
    except ml.ModelUnavailable as exc:
        logger.warning("triage model not preloaded: %s", exc)


warm_up_triage()

# Everything loaded at start-up (Django, the URL conf, triage's model and its libraries) lives as long as the
# process. Moving it out of the garbage collector's reach keeps a full collection from scanning it all while it
# holds the GIL: on a slow core that scan took ~140 ms, stalling every request in the process (the p99).
gc.collect()
gc.freeze()
