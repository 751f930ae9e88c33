import pytest
from django.core.exceptions import ValidationError

from ipoc.core.validators import (
    credit_code_check_char,
    region_name,
    region_scope_prefix,
    validate_credit_code,
    validate_region_code,
)

# Real unified social credit codes published by the companies themselves.
HUAWEI = "914403001922038216"
XIAOMI = "91110108551385082Q"


@pytest.mark.parametrize("code", [HUAWEI, XIAOMI, XIAOMI.lower(), f"  {HUAWEI} "])
def test_real_credit_codes_validate_and_normalise(code):
    assert validate_credit_code(code) == code.strip().upper()


def test_credit_code_check_char_matches_real_codes():
    assert credit_code_check_char(HUAWEI[:17]) == "6"
    assert credit_code_check_char(XIAOMI[:17]) == "Q"


def _message(exc):
    return " ".join(exc.value.messages)


def test_credit_code_wrong_check_character_says_expected_value():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(HUAWEI[:17] + "7")
    assert exc.value.code == "credit_code_check"
    assert "第18位应为“6”" in _message(exc) and "实际为“7”" in _message(exc)


def test_credit_code_length_and_forbidden_characters_are_located():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(HUAWEI[:17])
    assert exc.value.code == "credit_code_length" and "17位" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("9144030019220382I6")  # I is not in the GB 32100 character set
    assert exc.value.code == "credit_code_charset" and "第17位" in _message(exc)


def test_credit_code_embedded_organization_code_check():
    # Change the 组织机构代码 body but fix up the final check character: the
    # GB 11714 check digit at position 17 no longer matches.
    body = HUAWEI[:8] + "19220381" + HUAWEI[16]
    code = body + credit_code_check_char(body)
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "credit_code_org_check"


def test_region_codes():
    assert validate_region_code("110108") == "110108"
    assert region_name("110108") == "北京市海淀区"
    assert validate_region_code("110103") == "110103"  # 崇文区: historic codes stay valid for old records
    for bad, code in [("11010", "region_format"), ("11010a", "region_format"), ("990000", "region_province"),
                      ("110199", "region_unknown")]:
        with pytest.raises(ValidationError) as exc:
            validate_region_code(bad)
        assert exc.value.code == code
        assert bad in " ".join(exc.value.messages)


def test_region_scope_prefix():
    assert region_scope_prefix("320000") == "32"
    assert region_scope_prefix("320500") == "3205"
    assert region_scope_prefix("320505") == "320505"
