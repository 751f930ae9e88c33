"""技术功效 proposals keep attributes and harms, not the objects an effect verb happens to precede."""

from __future__ import annotations

from ipoc.analytics import terms


def test_effects_are_attributes_or_harms_not_objects():
    abstracts = [
        "本发明提高了终端的续航能力，降低了功耗。",  # the object 终端 is not an effect
        "该方法能够提高基站的覆盖范围，减少信号干扰。",
        "降低芯片封装成本，提高良率。",
        "提高芯片的散热效率。",
    ]
    found = dict(terms.effect_terms(abstracts, top=20))
    assert "终端" not in found and "基站" not in found and "芯片" not in found
    assert {"功耗", "信号干扰", "良率", "续航能力", "散热效率"} <= set(found)
    assert terms.is_effect("稳定性") and terms.is_effect("生产效率") and terms.is_effect("噪声")
    assert not terms.is_effect("用户") and not terms.is_effect("文本") and not terms.is_effect("测量")
