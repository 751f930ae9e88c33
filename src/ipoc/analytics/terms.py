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
                          "缩短", "保证", "确保", "避免", "防止", "优化", "简化", "加快", "实现"})
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


def effect_terms(abstracts: Iterable[str], *, top: int = 8) -> list[tuple[str, int]]:
    """Nouns right after an effect verb (skipping 了/的 and adverbs): (word, number of patents)."""
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
                if len(rest) >= 2 and rest not in GENERIC:
                    found.add(rest)
                continue
            run: list[str] = []
            for nxt, tag in words[i + 1:i + 6]:
                if not run and nxt in ("了", "的", "其", "该", "所述", "整体", "显著", "大大", "有效"):
                    continue
                noun = tag.startswith(NOUN_TAGS) or (not run and tag == "v" and len(nxt) >= 2)
                if noun and nxt not in GENERIC and len(run) < 2 and nxt not in EFFECT_VERBS:
                    run.append(nxt)  # 能量+密度 → 能量密度, 循环+寿命 → 循环寿命
                    continue
                break
            term = "".join(run)
            if len(term) >= 2:
                found.add(term)
        df.update(found)
    return df.most_common(top)
