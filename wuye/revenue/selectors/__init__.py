"""Reads of public revenue and the maintenance fund, scoped by role through the registry's estate scope.

ledger: balances, statements, the scoped and public reads of one estate; compliance: the county table;
fund: the special maintenance fund; home: the home-page panel.
"""

from .compliance import *  # noqa: F403
from .fund import *  # noqa: F403
from .home import *  # noqa: F403
from .ledger import *  # noqa: F403
