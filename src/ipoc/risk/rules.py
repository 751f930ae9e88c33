"""The rules of the risk app in one place, each with its source and confidence.

[P] primary legal text read in full; [I] CNIPA's interpretation; [S] secondary — shown in the UI as 待核实.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    value: object
    source: str
    confirmed: bool  # False: configuration shown as 待核实


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("service_basis", _("出口前风险预警与供应链合规排查服务"), "",
         "《产业知识产权运营中心建设管理工作指引（暂行）》解读 开展专业服务：“积极提供产品出口前风险预警和供应链合规排查服务” [I]",
         True),
    Rule("alert_duty", _("收集涉外知识产权纠纷信息、发布风险预警"), "",
         "《国务院关于涉外知识产权纠纷处理的规定》（2025）：信息收集与风险预警 [S]", False),
    Rule("term_cn", _("中国专利权期限"), {"invention": 20, "utility_model": 10, "design": 15},
         "《专利法》第四十二条（2020 年修正）：发明 20 年、实用新型 10 年、外观设计 15 年，自申请日起算 [P]", True),
    Rule("term_other", _("其他法域专利权期限（年，自申请日）"), 20,
         "TRIPS 第 33 条：保护期不少于自申请日起 20 年；美国专利期限调整（PTA）与终止声明未计入 [S]", False),
    Rule("unknown_status", _("法律状态未知的已授权专利按有效推定"), True,
         "平台规则：法律状态数据缺失时从严推定有效，报告中注明需核实 [S]", False),
    Rule("ep_states", _("欧洲专利覆盖的国家"),
         ("AT", "BE", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "NL", "PL", "PT", "SE"),
         "《欧洲专利公约》第 2、3、64 条：欧洲专利在指定/生效国具有国家专利的效力；生效国以实际生效为准 [S]", False),
    Rule("saturation", _("检索饱和阈值（新增命中占比）"), 0.1,
         "平台规则：一轮检索带来的新增命中低于该比例时停止检索 [S]", False),
    Rule("literal_overlap", _("字面相同建议阈值"), 0.6, "平台规则：特征词语重合度 ≥ 该值时建议“字面相同” [S]", False),
    Rule("equivalent_overlap", _("等同建议阈值"), 0.35, "平台规则：重合度 ≥ 该值时建议“等同” [S]", False),
    Rule("absent_overlap", _("不具备建议阈值"), 0.12, "平台规则：重合度低于该值时建议“不具备” [S]", False),
    Rule("risk_grading", _("风险分级"), "",
         "全面覆盖原则（《最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释》第七条）：全部技术特征相同或等同"
         "才落入保护范围；缺少一项即不落入 [P]。平台分级：全部字面相同→高；含等同或待判断→中；明确不具备一项→低",
         True),
    Rule("watch_relevance", _("监控相关度阈值"), 0.5,
         "平台规则：新入库专利覆盖产品特征词语的比例 ≥ 该值时视为相关 [S]", False),
)}


def value(code: str):
    return RULES[code].value


CONTRACT_TERMS = (
    ("ip_warranty", _("知识产权担保条款")),
    ("indemnity", _("赔偿范围")),
    ("defence_control", _("应诉控制权")),
    ("remedy_ladder", _("救济顺序（修改、替换、退款）")),
    ("cap", _("赔偿上限")),
)

MARKETS = (
    ("CN", _("中国")), ("US", _("美国")), ("EP", _("欧洲专利局成员国")), ("DE", _("德国")), ("FR", _("法国")),
    ("GB", _("英国")), ("JP", _("日本")), ("KR", _("韩国")), ("IN", _("印度")), ("BR", _("巴西")),
)
MARKET_LABELS = dict(MARKETS)


def market_label(code: str) -> str:
    return str(MARKET_LABELS.get(code, code))
