"""Developer machine: `make run`. Debug on, a fixed throwaway secret, SQLite in var/."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-wuye-local"  # noqa: F405
