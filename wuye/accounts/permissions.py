"""Role checks for views and the API. Row-level scope is in each app's selectors, not here."""

from typing import TYPE_CHECKING

from wuye.common.errors import NotAllowed
from wuye.common.permissions import role_required, roles_permission
from wuye.kernel.actors import Actor, actor_label, actor_user

from .models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role, User

if TYPE_CHECKING:
    pass

__all__ = [
    "BUREAU_ROLES",
    "COUNTY_READ_ROLES",
    "STAFF_ROLES",
    "Role",
    "person_acting",
    "role_required",
    "roles_permission",
]


def person_acting(actor: Actor, *, what: str) -> User:
    """The user behind a move only people make (a company's entry, an owner's ballot): the system and the public
    have no such right, and are refused in words that name them."""
    user = actor_user(actor)
    if user is None:
        raise NotAllowed(f"{actor_label(actor)}不能{what}")
    return user
