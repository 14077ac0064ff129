"""The permission and state checks every lead move shares."""

from wuye.accounts.models import Role
from wuye.common.errors import InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, actor_label, actor_role

from ..models import Lead
from ..workflow import LEAD_MOVES


def check_move(actor: Actor, name: str) -> None:
    """The actor's role may make this move (system and public actors only where the move declares them)."""
    role = actor_role(actor)
    move = LEAD_MOVES[name]
    if role not in move.roles:
        who = Role(role).label if role in Role.values else actor_label(actor)
        raise NotAllowed(f"{who}不能{move.label}", field="role")


def lock_lead(lead: Lead | int) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead if isinstance(lead, int) else lead.pk)


def check_from(lead: Lead, name: str) -> bool:
    """True when the lead may make the move from its status; False when it is already where the move leads (a
    repeated request changes nothing); InvalidTransition otherwise."""
    move = LEAD_MOVES[name]
    if lead.status in move.moves:
        return True
    if lead.status in move.targets:
        return False
    raise InvalidTransition(
        f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能{move.label}", field="lead"
    )
