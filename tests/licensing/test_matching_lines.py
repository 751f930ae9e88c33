"""A match's explanation says, as of now, that its patent is under open licence (专利法第五十一条: licensed by
notice and payment) — the center sees it before pushing the lead."""

from __future__ import annotations

from ipoc.matching.views import _licensing_lines


def test_a_match_explanation_says_the_patent_is_under_open_licence(patent, declare, make_patent):
    assert _licensing_lines(patent.pk) == []
    draft = declare(patent, publish=False)
    assert _licensing_lines(patent.pk) == []  # a draft is not an open licence yet
    other = make_patent()
    declare(other)
    lines = dict(_licensing_lines(other.pk))
    assert "开放许可" in lines and "按净销售额提成 3%" in lines["开放许可"] and "第五十一条" in lines["开放许可"]
    assert draft.patent_id == patent.pk and _licensing_lines(patent.pk) == []
