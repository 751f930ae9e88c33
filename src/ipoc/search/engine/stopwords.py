"""The ONE place where patent boilerplate / stop words are listed.

Every token listed here is dropped by :func:`ipoc.search.engine.tokenize.tokenize`
(used for indexing, querying, kNN features and IPC suggestion alike), so adding a
word here changes all of them consistently.  Re-index after editing.

Three groups:

* ``PATENT_BOILERPLATE_ZH`` – phrases patent drafting conventions put in almost every
  CN title/abstract/claim ("本发明", "所述", "其特征在于", "一种" …).  They carry no topic.
* ``FUNCTION_WORDS_ZH`` – generic Chinese function words (的, 和, 及 …).
* ``ENGLISH`` – English function words plus US/EP claim boilerplate ("wherein", "said",
  "comprising" …).

Tokens of length 1 that are pure ASCII punctuation are removed by the tokenizer itself,
not by this list.
"""

from __future__ import annotations

PATENT_BOILERPLATE_ZH: frozenset[str] = frozenset(
    """
    本发明 发明 本实用新型 实用新型 实用 新型 本申请 申请 本公开 公开 本文 所述 其特征在于 特征 在于 其特征
    一种 一 种 包括 包含 设置 设置有 设有 涉及 提供 提供了 公开了 技术领域 领域 技术 方案 技术方案
    有益效果 有益 效果 背景技术 背景 具体 实施 实施方式 实施例 例如 优选 优选地 所示 如图 附图 图
    权利 权利要求 要求 根据 其中 以及 以便 使得 通过 采用 利用 用于 用以 能够 可以 可 进行 实现 具有
    上述 该 此 本 各 每 多个 若干 至少 一个 两个 分别 相应 对应 位于 之间 一端 另一端 一侧 另一侧
    方法 装置 系统 设备 结构 组件 步骤
    """.split()
)
"""Patent drafting boilerplate.  Note: 方法/装置/系统/设备/结构 appear in the majority of CN
titles ("一种…方法及装置") and act as stop words for topical matching."""

FUNCTION_WORDS_ZH: frozenset[str] = frozenset(
    """
    的 地 得 了 着 和 与 及 或 及其 并 并且 而 而且 且 也 还 又 在 于 从 对 对于 向 将 把 被 为 以 由 是
    有 无 不 其 之 所 等 等等 中 上 下 内 外 后 前 时 当 则 即 如 若 如果 因此 因而 从而 进而 所以 以上 以下
    这 那 这些 那些 这种 该种 它 它们 其它 其他 另 另外 同时 通常 一般 主要 相对 较 更 最 很 非常 已 已经
    个 件 次 用 使 使用 得到 所得 然后 最后 首先 再 再次 之后 之前 以后 以前 包括有 含有
    """.split()
)

ENGLISH: frozenset[str] = frozenset(
    """
    a an the of and or to in on at by for with from as is are was were be been being this that these those
    it its into onto than then there their which wherein whereby thereof therein said such each any all
    comprising comprises comprise comprised including includes include having has have having
    according claim claims claimed method apparatus device system invention present disclosure
    embodiment embodiments one two first second plurality least further configured
    """.split()
)

STOPWORDS: frozenset[str] = PATENT_BOILERPLATE_ZH | FUNCTION_WORDS_ZH | ENGLISH

__all__ = ["PATENT_BOILERPLATE_ZH", "FUNCTION_WORDS_ZH", "ENGLISH", "STOPWORDS"]
