"""Demo users, one or more per role, with printed passwords (development only)."""

from typing import Any

from django.db import transaction

from wuye.kernel.actors import SystemActor
from wuye.registry.models import Committee, Owner
from wuye.registry.selectors import contracts_in_force

from .models import Role, User
from .services import staff_user_create

DEMO_PASSWORD = "wuye-demo-2025"


def _short(company_name: str) -> str:
    """'钟山县鑫盛物业服务有限公司' → '鑫盛'."""
    return company_name.removeprefix("钟山县").split("物业")[0] or company_name


@transaction.atomic
def build(*, seed: int, scale: float, out: Any) -> None:
    contract = contracts_in_force().select_related("company", "estate").order_by("id").first()
    committee = (
        Committee.objects.filter(is_current=True, estate__in=contracts_in_force().values("estate"))
        .select_related("estate")
        .order_by("id")
        .first()
    )
    plan: list[tuple[str, str, str, dict[str, Any]]] = [
        ("admin", Role.BUREAU_ADMIN, "黎阳", {}),
        ("zhongchu", Role.TASK_FORCE, "钟楚", {}),
        ("wangxue", Role.TASK_FORCE, "王学", {}),
        ("city", Role.CITY_VIEWER, "市住建局专班", {}),
    ]
    if contract:
        plan.append(
            (
                "company",
                Role.COMPANY_STAFF,
                f"{_short(contract.company.name)}物业客服",
                {"company_id": contract.company_id},
            )
        )
        other = contracts_in_force().exclude(company=contract.company).order_by("id").first()
        if other:
            plan.append(
                (
                    "company2",
                    Role.COMPANY_STAFF,
                    f"{_short(other.company.name)}物业客服",
                    {"company_id": other.company_id},
                )
            )
    if committee:
        plan.append(
            (
                "committee",
                Role.COMMITTEE_MEMBER,
                f"{committee.estate.name}业委会主任",
                {"estate_id": committee.estate_id},
            )
        )
    created = 0
    for username, role, name, extra in plan:
        if User.objects.filter(username=username).exists():
            continue
        staff_user_create(
            actor=SystemActor("demo"),
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=name,
            **extra,
        )
        created += 1
    out.write(f"  用户：新建 {created} 个")


def logins() -> list[tuple[str, str, str]]:
    rows = [
        (u.username, DEMO_PASSWORD, f"{u.get_role_display()}（{u.display_name}）")
        for u in User.objects.exclude(role=Role.OWNER)
        .filter(username__in=["admin", "zhongchu", "wangxue", "city", "company", "company2", "committee"])
        .order_by("id")
    ]
    committee_user = User.objects.filter(username="committee").first()
    owner = None
    if committee_user and committee_user.estate_id:
        owner = (
            Owner.objects.filter(ownerships__unit__estate_id=committee_user.estate_id).order_by("id").first()
        )
    if owner:
        rows.append((owner.phone, "（验证码打印在服务器控制台）", f"业主（{owner.name}，手机号登录）"))
    return rows
