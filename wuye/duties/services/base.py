"""What every write of the duties app shares: who may enter a record, and the checks of dates and numbers."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from wuye.accounts.models import Role, User
from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record
from wuye.common.dates import cn_date, now, today
from wuye.common.errors import DomainError, NotAllowed
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_serving_company_id


def company_acting(actor: Actor, estate: Estate) -> tuple[User, int]:
    """Only the staff of the company serving the estate today enter its records (the task force reviews them)."""
    user = person_acting(actor, what="录入物业企业履约台账")
    company_id = estate_serving_company_id(estate.pk)
    if user.role != Role.COMPANY_STAFF or company_id is None or user.company_id != company_id:
        raise NotAllowed("只有为该小区提供服务的物业企业可以录入履约台账")
    return user, company_id


def not_future(value: dt.date | None, *, field: str, label: str) -> None:
    if value is not None and value > today():
        raise DomainError(f"{label}（{cn_date(value)}）不能晚于今天", field=field)


def required_text(value: str, *, field: str, label: str, max_length: int) -> str:
    clean = (value or "").strip()
    if not clean:
        raise DomainError(f"请填写{label}", field=field)
    if len(clean) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 字", field=field)
    return clean


def optional_text(value: str, *, field: str, label: str, max_length: int) -> str:
    clean = (value or "").strip()
    if len(clean) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 字", field=field)
    return clean


def not_negative(value: Decimal, *, field: str, label: str) -> Decimal:
    if value is None or not value.is_finite():
        raise DomainError(f"请填写{label}", field=field)
    if value < 0:
        raise DomainError(f"{label}不能为负数", field=field)
    return value


@requires_actor
def create_record(
    *, actor: Actor, model: type[models.Model], estate: Estate, action: str, **values: Any
) -> Any:
    """Store a record for the estate on behalf of the company serving it, with its audit entry."""
    user, company_id = company_acting(actor, estate)
    obj = model._default_manager.create(
        estate=estate, company_id=company_id, entered_by=user, created_at=now(), **values
    )
    after = {k: (v.pk if isinstance(v, models.Model) else v) for k, v in values.items()}
    audit_record(actor=actor, action=action, obj=obj, after={"estate": estate.code, **after})
    return obj
