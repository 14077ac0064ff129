import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.production")
application = get_wsgi_application()

# Everything loaded at start-up (Django, the URL conf, triage's model libraries: about 150,000 objects) lives as
# long as the process. Moving it out of the garbage collector's reach keeps a full collection from scanning it all
# while it holds the GIL: on a slow core that scan took ~140 ms, stalling every request in the process (the p99).
gc.collect()
gc.freeze()
