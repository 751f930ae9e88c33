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


# ---------------------------------------------------------------- real published codes (issue 14, item 17)

REAL_CODES_FILE = __import__("pathlib").Path(__file__).parent / "data" / "real_uscc.txt"


def _real_codes() -> list[str]:
    lines = REAL_CODES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_real_code_list_is_the_published_one():
    codes = _real_codes()
    assert len(codes) == len(set(codes)) >= 200
    # the codes the issue quotes: registered since 2015, with letters after H in the 组织机构代码 part
    assert {"91310115MA1K3BTP2B", "91340600MA2PBM9HXD"} <= set(codes)


def test_every_real_published_code_validates():
    refused = {}
    for code in _real_codes():
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            refused[code] = exc.messages
    assert refused == {}, f"{len(refused)} real codes refused, e.g. {list(refused.items())[:3]}"


def test_organization_code_letters_take_gb11714_values():
    from ipoc.core.validators import org_code_check_char

    # MA1K3BTP: M=22, A=10, K=20, T=29, P=25 in GB 11714 (the GB 32100 set would give K=19, T=26, P=23)
    assert org_code_check_char("MA1K3BTP") == "2"
    assert org_code_check_char("60003734") == "1"  # digits only: 91110000600037341L
    assert org_code_check_char("07837941") == "X"  # check value 10 is X: 9115220107837941X1


@pytest.mark.parametrize("code", ["91310115MA1K3BTP2B", "91340600MA2PBM9HXD", "9115220107837941X1",
                                  "121200004013590816"])
def test_real_codes_with_an_altered_check_character_fail(code):
    # the final (GB 32100) check character changed
    wrong_last = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code[:17] + wrong_last)
    assert exc.value.code == "credit_code_check"
    # the embedded GB 11714 check character changed, the final one recomputed to match
    wrong_org = next(c for c in "0123456789X" if c != code[16])
    body = code[:16] + wrong_org
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(body + credit_code_check_char(body))
    assert exc.value.code == "credit_code_org_check"
