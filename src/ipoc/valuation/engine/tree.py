"""Indicator tree (指标体系) for patent valuation, as editable data.

The tree is a JSON-serialisable dict::

    {
      "version": "...",
      "source": "...",
      "scenarios": {"license_transfer": "许可转让", ...},
      "nodes": [ {node}, ... ]
    }

Each node::

    id            unique string, e.g. "legal.scope.claims_count"
    name_zh       Chinese name;  name_en  English name
    parent        id of the parent node, or None for a first-level node
    formula       formula id (leaves only; see formulas.FORMULAS), else None
    params        formula parameters (dict, leaves only; optional)
    normalization "peer_percentile" | "fixed_range" | "term_fraction" | "identity" (leaves)
    norm_params   e.g. {"lo": 0, "hi": 10} for fixed_range (optional)
    direction     "higher" (more is better) | "lower" (less is better) (leaves)
    weights       {scenario: weight >= 0} for EVERY scenario of the tree; weights
                  are relative among siblings and normalised to sum 1 per scenario
    description   what the indicator measures and why
    source        where the indicator / weight comes from
    pending_check True = 待核实 (not confirmed against the official text)

First level follows GB/T 42748-2023 《专利评估指引》: 法律价值 / 技术价值 / 经济价值
and its scenarios (许可转让, 金融, 财务报告, 侵权救济, 管理, 其他) [S]. The
standard's 14 second-level and 27 third-level indicator names were not
available, so everything below the first level, and every weight, is this
project's proposal, marked 待核实.

Effective weight of a leaf in a scenario = product of the normalised sibling
weights along its path; the leaf weights of a scenario sum to 1.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

NORMALIZATIONS = ("peer_percentile", "fixed_range", "term_fraction", "identity")
DIRECTIONS = ("higher", "lower")

SCENARIOS: dict[str, str] = {
    "license_transfer": "许可转让",
    "finance": "金融（质押融资）",
    "financial_report": "财务报告",
    "infringement": "侵权救济",
    "management": "管理",
    "other": "其他",
}

GBT_SOURCE = "GB/T 42748-2023《专利评估指引》一级指标与评估场景 [S]"
PROJECT_SOURCE = "IPOC 默认方案（项目提出，非标准原文）"


class TreeValidationError(ValueError):
    """Raised with every problem found, each naming the node concerned."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("indicator tree invalid:\n  - " + "\n  - ".join(self.errors))


def _w(default: float, **overrides: float) -> dict[str, float]:
    w = {s: float(default) for s in SCENARIOS}
    for k, v in overrides.items():
        if k not in SCENARIOS:
            raise KeyError(k)
        w[k] = float(v)
    return w


def _leaf(id_, name_zh, name_en, parent, formula, weights, description, *, normalization="peer_percentile",
          direction="higher", params=None, norm_params=None, pending=True, source=PROJECT_SOURCE):
    return {
        "id": id_, "name_zh": name_zh, "name_en": name_en, "parent": parent, "formula": formula,
        "params": params or {}, "normalization": normalization, "norm_params": norm_params or {},
        "direction": direction, "weights": weights, "description": description, "source": source,
        "pending_check": pending,
    }


def _group(id_, name_zh, name_en, parent, weights, description, *, pending=True, source=PROJECT_SOURCE):
    return {
        "id": id_, "name_zh": name_zh, "name_en": name_en, "parent": parent, "formula": None,
        "params": {}, "normalization": None, "norm_params": {}, "direction": None, "weights": weights,
        "description": description, "source": source, "pending_check": pending,
    }


def _build_default() -> dict[str, Any]:
    n: list[dict[str, Any]] = []
    # ---- first level (names from GB/T 42748-2023 [S]; weights proposal, 待核实)
    n.append(_group("legal", "法律价值", "Legal value", None,
                    _w(1 / 3, license_transfer=0.35, finance=0.40, financial_report=0.30, infringement=0.50,
                       management=0.30),
                    "权利是否有效、保护多久、保护范围多宽、权利是否稳定。", source=GBT_SOURCE))
    n.append(_group("technical", "技术价值", "Technical value", None,
                    _w(1 / 3, license_transfer=0.30, finance=0.20, financial_report=0.20, infringement=0.30,
                       management=0.40),
                    "技术的影响力（引证）与覆盖面（IPC 小类）。", source=GBT_SOURCE))
    n.append(_group("economic", "经济价值", "Economic value", None,
                    _w(1 / 3, license_transfer=0.35, finance=0.40, financial_report=0.50, infringement=0.20,
                       management=0.30),
                    "市场布局（同族）、已发生的运营（转让/许可/质押）与实施主体。", source=GBT_SOURCE))

    # ---- 法律价值
    n.append(_group("legal.status", "法律状态与保护期", "Legal status and term", "legal",
                    _w(0.40, finance=0.45, infringement=0.35), "权利是否有效以及剩余保护期。"))
    n.append(_leaf("legal.status.legal_status", "法律状态", "Legal status", "legal.status",
                   "legal_status_score", _w(0.5),
                   "有效=1，审中=0.5，失效=0（参数可改）。失效专利无法许可、质押或维权。",
                   normalization="identity", params={"mapping": {"有效": 1.0, "审中": 0.5, "失效": 0.0}}))
    n.append(_leaf("legal.status.remaining_life", "剩余保护期", "Remaining life", "legal.status",
                   "remaining_life_years", _w(0.5),
                   "剩余保护年数（失效=0），除以该类型法定保护期（发明20年、实用新型10年、外观设计15/10年）。",
                   normalization="term_fraction"))
    n.append(_group("legal.scope", "保护范围", "Scope of protection", "legal",
                    _w(0.40, infringement=0.45, finance=0.35), "权利要求的数量与首项权利要求的宽度。"))
    n.append(_leaf("legal.scope.claims_count", "权利要求数", "Number of claims", "legal.scope",
                   "claims_count", _w(0.30), "权利要求总数，同领域同年份百分位，越多越好（保护层次多）。"))
    n.append(_leaf("legal.scope.independent_claims", "独立权利要求数", "Independent claims", "legal.scope",
                   "independent_claims_count", _w(0.25), "独立权利要求数，越多保护主题越多。"))
    n.append(_leaf("legal.scope.claim1_chars", "首项权利要求字数", "Claim 1 length (chars)", "legal.scope",
                   "claim1_chars", _w(0.25),
                   "首项权利要求字符数；越短通常限定越少、保护范围越宽（方向：越小越好）。", direction="lower"))
    n.append(_leaf("legal.scope.claim1_features", "首项权利要求技术特征数", "Claim 1 features", "legal.scope",
                   "claim1_features", _w(0.20),
                   "首项权利要求的技术特征数（分号分隔的特征段数）；越少保护范围越宽（越小越好）。",
                   direction="lower"))
    n.append(_group("legal.stability", "权利稳定性", "Stability", "legal",
                    _w(0.20), "是否经过实质审查以及审查的充分程度。"))
    n.append(_leaf("legal.stability.examination_type", "审查类型", "Examination type", "legal.stability",
                   "examination_type_score", _w(0.6),
                   "发明经实质审查=1；实用新型、外观设计仅初步审查=0.5（参数可改）。",
                   normalization="identity", params={"mapping": {"发明": 1.0, "实用新型": 0.5, "外观设计": 0.5}}))
    n.append(_leaf("legal.stability.examination_days", "审查时长", "Examination duration", "legal.stability",
                   "examination_days", _w(0.4),
                   "实质审查生效至授权的天数；假设审查越充分权利越稳定（方向待核实，可改为 lower）。"))

    # ---- 技术价值
    n.append(_group("technical.influence", "技术影响力", "Technical influence", "technical",
                    _w(0.60), "被后续专利引用的程度与对现有技术的引用。"))
    n.append(_leaf("technical.influence.forward_citations", "被引证次数", "Forward citations",
                   "technical.influence", "forward_citations", _w(0.70),
                   "被后续专利引证次数（同领域同年份百分位），越多越好。"))
    n.append(_leaf("technical.influence.backward_citations", "引证次数", "Backward citations",
                   "technical.influence", "backward_citations", _w(0.30),
                   "本专利引证的专利数；反映技术基础的扎实程度（方向待核实）。"))
    n.append(_group("technical.breadth", "技术覆盖面", "Technical breadth", "technical",
                    _w(0.40), "分类号覆盖的技术范围。"))
    n.append(_leaf("technical.breadth.ipc_subclasses", "IPC 小类数", "Distinct IPC subclasses",
                   "technical.breadth", "ipc_subclass_count", _w(1.0),
                   "分类号中不同 IPC 小类（前4位）的个数，越多应用面越广。"))

    # ---- 经济价值
    n.append(_group("economic.market", "市场布局", "Market coverage", "economic",
                    _w(0.40, finance=0.30), "同族规模与布局的国家/地区。"))
    n.append(_leaf("economic.market.family_size", "同族专利数", "Family size", "economic.market",
                   "family_size", _w(0.50), "简单同族成员数，越多越好。"))
    n.append(_leaf("economic.market.family_countries", "同族国家/地区数", "Family countries", "economic.market",
                   "family_countries", _w(0.50), "同族覆盖的国家/地区/组织数，越多越好。"))
    n.append(_group("economic.operation", "运营活动", "Transactions", "economic",
                    _w(0.45, finance=0.55), "已发生的转让、许可、质押：市场对其价值的直接证据。"))
    n.append(_leaf("economic.operation.transfers", "转让次数", "Transfers", "economic.operation",
                   "transfers", _w(0.40, finance=0.30), "权利转移次数。"))
    n.append(_leaf("economic.operation.licences", "许可次数", "Licences", "economic.operation",
                   "licences", _w(0.40, finance=0.30), "许可备案次数。"))
    n.append(_leaf("economic.operation.pledges", "质押次数", "Pledges", "economic.operation",
                   "pledges", _w(0.20, finance=0.40), "质押登记次数。"))
    n.append(_group("economic.holder", "实施主体", "Holder", "economic",
                    _w(0.15), "权利人实施和运营能力的代理指标。"))
    n.append(_leaf("economic.holder.applicant_type", "申请人类型", "Applicant type", "economic.holder",
                   "applicant_type_score", _w(1.0),
                   "企业=1，科研机构=0.7，高校=0.6，机关团体=0.5，个人=0.4（参数可改，未知类型=缺失）。",
                   normalization="identity",
                   params={"mapping": {"企业": 1.0, "科研机构": 0.7, "高校": 0.6, "大专院校": 0.6,
                                       "机关团体": 0.5, "个人": 0.4}}))
    return {
        "version": "ipoc-default-2026.1",
        "source": GBT_SOURCE + "；二、三级指标与权重为项目默认方案，待核实",
        "scenarios": dict(SCENARIOS),
        "nodes": n,
    }


DEFAULT_TREE: dict[str, Any] = _build_default()


@dataclass(frozen=True)
class Node:
    id: str
    name_zh: str
    name_en: str
    parent: str | None
    formula: str | None
    params: dict[str, Any]
    normalization: str | None
    norm_params: dict[str, Any]
    direction: str | None
    weights: dict[str, float]
    description: str
    source: str
    pending_check: bool
    children: tuple[str, ...] = field(default=())

    @property
    def is_leaf(self) -> bool:
        return not self.children


class IndicatorTree:
    """A validated indicator tree. Build with :meth:`from_dict`; never mutate — edit the dict and rebuild."""

    def __init__(self, data: dict[str, Any], nodes: dict[str, Node], order: list[str]):
        self._data = data
        self.nodes = nodes
        self.order = order  # depth-first, in input order
        self.scenarios: dict[str, str] = dict(data["scenarios"])
        self.version: str = str(data.get("version", ""))

    # ------------------------------------------------------------- build
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndicatorTree:
        from .formulas import FORMULAS  # late import: formulas do not depend on the tree

        data = copy.deepcopy(data)
        errors: list[str] = []
        scenarios = data.get("scenarios")
        if not isinstance(scenarios, dict) or not scenarios:
            raise TreeValidationError(["tree: 'scenarios' must be a non-empty {code: name} mapping"])
        raw_nodes = data.get("nodes")
        if not isinstance(raw_nodes, list) or not raw_nodes:
            raise TreeValidationError(["tree: 'nodes' must be a non-empty list"])

        by_id: dict[str, dict[str, Any]] = {}
        for i, nd in enumerate(raw_nodes):
            nid = nd.get("id") if isinstance(nd, dict) else None
            if not isinstance(nid, str) or not nid:
                errors.append(f"node #{i}: missing or empty 'id'")
                continue
            if nid in by_id:
                errors.append(f"node '{nid}': duplicate id")
                continue
            by_id[nid] = nd
        children: dict[str, list[str]] = {nid: [] for nid in by_id}
        roots: list[str] = []
        for nid, nd in by_id.items():
            parent = nd.get("parent")
            if parent is None:
                roots.append(nid)
            elif parent not in by_id:
                errors.append(f"node '{nid}': unknown parent '{parent}'")
            else:
                children[parent].append(nid)
        if not roots:
            errors.append("tree: no first-level node (parent = None)")
        # cycles / unreachable
        reachable: set[str] = set()
        stack = list(roots)
        while stack:
            cur = stack.pop()
            if cur in reachable:
                continue
            reachable.add(cur)
            stack.extend(children[cur])
        for nid in by_id:
            if nid not in reachable and by_id[nid].get("parent") in by_id:
                errors.append(f"node '{nid}': not reachable from a first-level node (cycle)")

        for nid, nd in by_id.items():
            for key in ("name_zh", "name_en"):
                if not isinstance(nd.get(key), str) or not nd.get(key):
                    errors.append(f"node '{nid}': missing '{key}'")
            is_leaf = not children[nid]
            formula = nd.get("formula")
            if is_leaf:
                if not formula:
                    errors.append(f"node '{nid}': leaf without a formula")
                elif formula not in FORMULAS:
                    errors.append(
                        f"node '{nid}': unknown formula id '{formula}' (known: {', '.join(sorted(FORMULAS))})"
                    )
                else:
                    try:
                        FORMULAS[formula].check_params(nd.get("params") or {})
                    except ValueError as exc:
                        errors.append(f"node '{nid}': bad params for formula '{formula}': {exc}")
                norm = nd.get("normalization")
                if norm not in NORMALIZATIONS:
                    errors.append(f"node '{nid}': unknown normalization '{norm}' (known: {', '.join(NORMALIZATIONS)})")
                elif norm == "fixed_range":
                    np_ = nd.get("norm_params") or {}
                    lo, hi = np_.get("lo"), np_.get("hi")
                    if not isinstance(lo, int | float) or not isinstance(hi, int | float) or hi <= lo:
                        errors.append(f"node '{nid}': fixed_range needs numeric norm_params lo < hi")
                if nd.get("direction") not in DIRECTIONS:
                    errors.append(f"node '{nid}': direction must be one of {DIRECTIONS}, got {nd.get('direction')!r}")
            elif formula:
                errors.append(f"node '{nid}': has children, so it must not have a formula ('{formula}')")
            weights = nd.get("weights")
            if not isinstance(weights, dict):
                errors.append(f"node '{nid}': 'weights' must be a {{scenario: weight}} mapping")
                continue
            for s in scenarios:
                w = weights.get(s)
                if w is None:
                    errors.append(f"node '{nid}': no weight for scenario '{s}'")
                elif not isinstance(w, int | float) or isinstance(w, bool) or w != w or w < 0:
                    errors.append(f"node '{nid}': weight for scenario '{s}' must be a number >= 0, got {w!r}")
            for s in weights:
                if s not in scenarios:
                    errors.append(f"node '{nid}': weight for unknown scenario '{s}'")
        if errors:
            raise TreeValidationError(errors)

        # sibling sums per scenario must be > 0 so they can be normalised to 1
        groups = [("(first level)", roots)] + [(p, c) for p, c in children.items() if c]
        for parent, sibs in groups:
            for s in scenarios:
                total = sum(float(by_id[c]["weights"][s]) for c in sibs)
                if total <= 0:
                    errors.append(
                        f"node '{parent}': children {sibs} all have weight 0 in scenario '{s}' "
                        "(cannot normalise to 1)"
                    )
        if errors:
            raise TreeValidationError(errors)

        nodes: dict[str, Node] = {}
        order: list[str] = []

        def visit(nid: str) -> None:
            nd = by_id[nid]
            nodes[nid] = Node(
                id=nid, name_zh=nd["name_zh"], name_en=nd["name_en"], parent=nd.get("parent"),
                formula=nd.get("formula") or None, params=dict(nd.get("params") or {}),
                normalization=nd.get("normalization") if not children[nid] else None,
                norm_params=dict(nd.get("norm_params") or {}),
                direction=nd.get("direction") if not children[nid] else None,
                weights={s: float(nd["weights"][s]) for s in scenarios},
                description=str(nd.get("description", "")), source=str(nd.get("source", "")),
                pending_check=bool(nd.get("pending_check", True)), children=tuple(children[nid]),
            )
            order.append(nid)
            for c in children[nid]:
                visit(c)

        for r in roots:
            visit(r)
        return cls(data, nodes, order)

    # ------------------------------------------------------------ access
    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)

    def digest(self) -> str:
        """Stable hash of the tree content (for reports and caching)."""
        blob = json.dumps(self._data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    @property
    def roots(self) -> list[str]:
        return [nid for nid in self.order if self.nodes[nid].parent is None]

    @property
    def leaves(self) -> list[str]:
        return [nid for nid in self.order if self.nodes[nid].is_leaf]

    def check_scenario(self, scenario: str) -> None:
        if scenario not in self.scenarios:
            raise KeyError(f"unknown scenario '{scenario}' (known: {', '.join(self.scenarios)})")

    def normalized_weight(self, node_id: str, scenario: str) -> float:
        """Weight of a node among its siblings, normalised so siblings sum to 1."""
        self.check_scenario(scenario)
        node = self.nodes[node_id]
        sibs = self.nodes[node.parent].children if node.parent else tuple(self.roots)
        total = sum(self.nodes[s].weights[scenario] for s in sibs)
        return node.weights[scenario] / total

    def path(self, node_id: str) -> list[str]:
        out = [node_id]
        while self.nodes[out[-1]].parent is not None:
            out.append(self.nodes[out[-1]].parent)
        return out[::-1]

    def effective_weight(self, node_id: str, scenario: str) -> float:
        w = 1.0
        for nid in self.path(node_id):
            w *= self.normalized_weight(nid, scenario)
        return w

    def leaf_weights(self, scenario: str) -> dict[str, float]:
        """Effective weight of every leaf for a scenario (sums to 1)."""
        return {leaf: self.effective_weight(leaf, scenario) for leaf in self.leaves}

    def root_of(self, node_id: str) -> str:
        return self.path(node_id)[0]


def default_tree() -> IndicatorTree:
    return IndicatorTree.from_dict(DEFAULT_TREE)


def load_tree(data: dict[str, Any] | str | None) -> IndicatorTree:
    """Accept a tree dict, its JSON text, an IndicatorTree, or None (default)."""
    if data is None:
        return default_tree()
    if isinstance(data, IndicatorTree):
        return data
    if isinstance(data, str):
        data = json.loads(data)
    return IndicatorTree.from_dict(data)
