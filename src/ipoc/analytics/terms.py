"""技术功效矩阵 term proposals: technology and effect words read from a set's texts with jieba (rjieba).

- 技术分支 (technology): nouns of the titles (the object a patent is about), by how many patents use them.
- 技术功效 (effect): the noun after an effect verb in the abstracts (提高**效率**, 降低**成本**, 提升**稳定性**).

Proposals are only proposals: staff rename, merge (several words per term), delete and confirm them; a
term not yet confirmed is shown as 未审核 and so are the cells it makes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import rjieba

EFFECT_VERBS = frozenset({"提高", "提升", "降低", "减少", "增加", "改善", "增强", "减小", "节省", "节约", "延长",
                          "缩短", "避免", "防止", "优化", "简化", "加快", "减轻", "抑制", "消除"})
# An effect (功效) is an attribute or a harm, not an object: 稳定性, 效率, 精度, 能耗, 寿命, 用户体验 … end in
# one of these characters; harms (干扰, 噪声, 缺陷 …) are matched by their last word. What follows 提高/降低 and
# is neither (提高终端…, 降低芯片…) is the object of the sentence, not its effect.
EFFECT_ENDINGS = (*"性率度耗命验力差损", "性能", "效能", "产能", "质量", "产量", "用量", "含量", "流量", "容量", "电量",
                  "数据量", "计算量", "工作量", "体验", "效果")
HARM_WORDS = ("干扰", "噪声", "噪音", "延迟", "时延", "污染", "缺陷", "故障", "风险", "开销", "振动", "泄漏", "磨损",
              "误差", "体积", "重量", "难度", "浪费", "损坏", "短路", "过热", "漏电", "能耗", "功耗", "成本", "寿命")
GENERIC = frozenset({"方法", "装置", "系统", "设备", "结构", "组件", "模块", "单元", "本发明", "本实用新型", "发明",
                     "实用新型", "技术", "领域", "问题", "目的", "方案", "过程", "作用", "效果", "部分", "一种",
                     "用途", "制备", "应用", "产品", "包括", "所述", "其中", "基于", "具有", "可以", "进行",
                     "使用", "实施", "采用", "主体", "本体", "机构", "一端", "另一端", "内部", "外部", "上端",
                     "下端", "表面", "位置", "时间", "数据", "信息", "程序", "介质", "存储介质", "计算机"})
NOUN_TAGS = ("n", "nz", "vn", "nt", "nl", "ng")


def _nouns(text: str) -> list[str]:
    return [w for w, tag in rjieba.tag(text) if tag.startswith(NOUN_TAGS) and len(w) >= 2 and w not in GENERIC
            and not w.isdigit()]


def technology_terms(titles: Iterable[str], *, top: int = 8) -> list[tuple[str, int]]:
    """The title nouns most patents share: (word, number of patents)."""
    df: Counter[str] = Counter()
    for title in titles:
        df.update(set(_nouns(title or "")))
    return [(w, n) for w, n in df.most_common(top * 3) if n >= 1][:top]


def is_effect(term: str) -> bool:
    """An attribute (…性/率/度/耗/命/力/差/损, …性能, …质量, …容量) or a harm (…干扰, …噪声, …缺陷, 成本)."""
    return term.endswith(EFFECT_ENDINGS) or term.endswith(HARM_WORDS)


def _noun_run(words: list[tuple[str, str]], start: int) -> tuple[str, int]:
    """The noun phrase (up to two words) from ``start``, skipping 了/的 and adverbs first; and where it ends."""
    run: list[str] = []
    j = start
    while j < min(len(words), start + 5):
        nxt, tag = words[j]
        if not run and nxt in ("了", "的", "其", "该", "所述", "整体", "显著", "大大", "有效"):
            j += 1
            continue
        noun = tag.startswith(NOUN_TAGS) or (not run and tag == "v" and len(nxt) >= 2) or nxt in HARM_WORDS
        if noun and nxt not in GENERIC and len(run) < 2 and nxt not in EFFECT_VERBS:
            run.append(nxt)  # 能量+密度 → 能量密度, 循环+寿命 → 循环寿命, 信号+干扰 → 信号干扰
            j += 1
            continue
        break
    return "".join(run), j


def effect_terms(abstracts: Iterable[str], *, top: int = 8) -> list[tuple[str, int]]:
    """Attributes and harms right after an effect verb (skipping 了/的 and adverbs): (word, number of
    patents). The object of the verb (提高**终端**的…) is not an effect and is left out (:func:`is_effect`)."""
    df: Counter[str] = Counter()
    for text in abstracts:
        found: set[str] = set()
        words = rjieba.tag(text or "")
        for i, (w, _tag) in enumerate(words):
            verb = next((v for v in EFFECT_VERBS if w.startswith(v)), None)
            if verb is None:
                continue
            if w != verb:  # one token such as 提高效率: the effect is what follows the verb
                rest = w[len(verb):].lstrip("了的")
                if len(rest) >= 2 and rest not in GENERIC and is_effect(rest):
                    found.add(rest)
                continue
            start = i + 1
            for _attempt in range(2):  # 提高终端的续航能力: the object 终端, then after 的 its attribute
                term, end = _noun_run(words, start)
                if len(term) >= 2 and is_effect(term):
                    found.add(term)
                    break
                if end >= len(words) or words[end][0] != "的":
                    break
                start = end + 1
        df.update(found)
    return df.most_common(top)
