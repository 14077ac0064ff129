import datetime as dt
from decimal import Decimal

import pytest

from wuye.accounts.models import Role
from wuye.common.errors import DomainError
from wuye.kernel.actors import SystemActor
from wuye.registry.models import PropertyCompany, ServiceContract
from wuye.registry.services import contract_create, contract_end
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


def test_company_form_rejects_a_bad_credit_code_in_chinese(client):
    login(client, make_user(Role.TASK_FORCE))
    resp = client.post(
        "/registry/companies/new/",
        {"name": "坏代码物业", "credit_code": "91350100M000100Y44", "legal_representative": "张三"},
    )
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "统一社会信用代码校验位错误：第 18 位应为“3”" in body
    assert not PropertyCompany.objects.filter(name="坏代码物业").exists()


def test_company_form_accepts_a_valid_credit_code_and_audits_it(client):
    from wuye.audit.models import AuditEntry

    login(client, make_user(Role.TASK_FORCE))
    resp = client.post(
        "/registry/companies/new/",
        {"name": "好代码物业", "credit_code": "91350100m000100y43", "legal_representative": "张三"},
    )
    assert resp.status_code == 302
    company = PropertyCompany.objects.get(name="好代码物业")
    assert company.credit_code == "91350100M000100Y43"
    assert AuditEntry.objects.filter(action="company.save", object_id=str(company.pk)).exists()


@pytest.mark.parametrize(
    "code,reason", [("91350100M000100Y4", "应为 18 位"), ("91350100M000100I43", "不允许的字符")]
)
def test_malformed_credit_codes_say_why(code, reason):
    from wuye.registry.validators import validate_credit_code

    with pytest.raises(DomainError, match=reason):
        validate_credit_code(code)


def test_an_estate_has_at_most_one_current_contract():
    a, b = make_company(), make_company()
    estate = make_estate(company=a)
    with pytest.raises(DomainError, match="已有现行合同"):
        contract_create(
            actor=SystemActor("demo"),
            estate=estate,
            company=b,
            start=dt.date(2025, 1, 1),
            end=None,
            fee_per_m2=Decimal("1.00"),
            hiring="tender",
        )
    contract_end(
        actor=SystemActor("demo"),
        contract=estate.contracts.get(),
        end=dt.date(2024, 12, 31),
        reason="合同期满",
    )
    contract_create(
        actor=SystemActor("demo"),
        estate=estate,
        company=b,
        start=dt.date(2025, 1, 1),
        end=None,
        fee_per_m2=Decimal("1.00"),
        hiring="tender",
    )
    assert ServiceContract.objects.filter(estate=estate, is_current=True).get().company == b


def test_the_database_itself_refuses_a_second_current_contract():
    from django.db import IntegrityError, transaction

    a = make_company()
    estate = make_estate(company=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceContract.objects.create(
            estate=estate,
            company=a,
            start=dt.date(2025, 1, 1),
            fee_per_m2=Decimal("1"),
            hiring="tender",
            is_current=True,
        )
