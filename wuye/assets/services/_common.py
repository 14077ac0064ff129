"""Who may act on an estate's assets: the rule each service checks before it writes."""

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.common.errors import NotAllowed
from wuye.kernel.actors import Actor, SystemActor, actor_user
from wuye.registry.models import Estate
from wuye.registry.selectors import bureau_acts_on_estate, company_serves_estate


def acting_user(actor: Actor, *, what: str) -> User | None:
    """The user behind the move; None for a system job (imports, demo, checks) which may always act."""
    if isinstance(actor, SystemActor):
        return None
    user = actor_user(actor)
    if user is None:
        raise NotAllowed(f"无权{what}")
    return user


def require_company_or_bureau(actor: Actor, estate: Estate, *, what: str) -> User | None:
    """The company serving the estate today (it enters maintenance and faults) or the bureau."""
    user = acting_user(actor, what=what)
    if user is None or (user.role in BUREAU_ROLES and bureau_acts_on_estate(user, estate.pk)):
        return user
    if user.role == Role.COMPANY_STAFF and company_serves_estate(user.company_id, estate.pk):
        return user
    raise NotAllowed(f"只有为本小区提供服务的物业企业或专班人员可以{what}")


def require_bureau(actor: Actor, *, what: str) -> User | None:
    user = acting_user(actor, what=what)
    if user is None or user.role in BUREAU_ROLES:
        return user
    raise NotAllowed(f"只有专班人员可以{what}")


def require_committee_or_bureau(actor: Actor, estate: Estate, *, what: str) -> User | None:
    user = acting_user(actor, what=what)
    if user is None or (user.role in BUREAU_ROLES and bureau_acts_on_estate(user, estate.pk)):
        return user
    if user.role == Role.COMMITTEE_MEMBER and user.estate_id == estate.pk:
        return user
    raise NotAllowed(f"只有本小区业委会（物管会）或专班人员可以{what}")
