import pytest

from wuye.common.errors import DomainError
from wuye.registry.validators import validate_credit_code


def test_known_valid_credit_code_passes():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_credit_code_with_wrong_check_digit_names_the_expected_character():
    with pytest.raises(DomainError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert exc.value.field == "统一社会信用代码"
    assert "校验位错误" in exc.value.message and "“3”" in exc.value.message
