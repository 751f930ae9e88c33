"""The rules of 产业知识产权创新联合体 and 大手拉小手, each with its source, in one place.

Source [I]: 国家知识产权局《产业知识产权运营中心建设管理工作指引（暂行）》解读 (国知办函运字〔2024〕1155号),
第二部分 “强化产业协同”: 运营中心组织引导产业链上下游各类主体共同组建产业知识产权创新联合体、重点领域专利池，
以“大手拉小手”的方式带动产业链大中小企业融通发展; 第三部分 工作成效 includes 服务中小企业.
The guideline itself was not available here, so how a member's role maps to an organisation's kind, who may lead,
and which services count as 大手拉小手 are platform configuration, marked [S] 待核实 in the interface.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

GUIDELINE = _("《产业知识产权运营中心建设管理工作指引（暂行）》解读（国知办函运字〔2024〕1155号）第二部分“强化产业协同”")
TO_CONFIRM = _("待核实")

# ---------------------------------------------------------------- member roles and organisation kinds [S]

LEAD_ENTERPRISE = "lead_enterprise"
SME = "sme"
UNIVERSITY = "university"
INSTITUTE = "institute"
SERVICE_AGENCY = "service_agency"
INVESTMENT_AGENCY = "investment_agency"

# role → organisation kinds that may hold it; the enterprise roles also look at 是否中小企业.
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    LEAD_ENTERPRISE: ("enterprise",),
    SME: ("enterprise",),
    UNIVERSITY: ("university",),
    INSTITUTE: ("research_institute",),
    SERVICE_AGENCY: ("service_agency", "industry_association", "industrial_park", "operation_center"),
    INVESTMENT_AGENCY: ("investment_agency",),
}
ROLE_RULE_SOURCE = _("成员角色与单位类型对应：龙头企业须为非中小企业的企业，中小企业须为标注“中小企业”的企业，"
                     "高校、院所、服务机构、投资机构按单位类型（平台配置）")

# Who may lead a consortium [S]: a 龙头企业 (an enterprise not marked SME), a university or a research institute.
LEAD_KINDS = ("enterprise", "university", "research_institute")
LEAD_RULE_SOURCE = _("牵头单位可为龙头企业（非中小企业）、高校或科研院所（平台配置）")

# A 大手拉小手 service is given by a member that is not itself an SME member, to an SME enterprise.
PROVIDER_ROLES = (LEAD_ENTERPRISE, UNIVERSITY, INSTITUTE, SERVICE_AGENCY, INVESTMENT_AGENCY)
SERVICE_RULE_SOURCE = _("“大手拉小手”服务记录：提供方须为服务日期在册的非中小企业成员，接受方须为中小企业"
                        "（平台配置）")

# 共同保护: the members' shares of the cost must add up to exactly 100%.
SHARES_TOTAL = 100
SHARES_RULE_SOURCE = _("共同保护费用由参与成员按约定比例分担，比例合计须为 100%（联合体协议约定）")

# 联合创造: a patent a joint project produced is held by a member and filed on or after the project's start.
JOINT_PATENT_RULE_SOURCE = _("联合创造专利：申请人或专利权人中须有联合体成员，申请日不早于项目开始日期（平台配置）")

MAX_BUDGET_YUAN = 100_000_000_000  # 1,000 亿元: an absurd-amount ceiling for a project budget

RULES = [
    {"code": "member_roles", "text": ROLE_RULE_SOURCE, "source": GUIDELINE, "confidence": "S"},
    {"code": "lead", "text": LEAD_RULE_SOURCE, "source": GUIDELINE, "confidence": "S"},
    {"code": "sme_service", "text": SERVICE_RULE_SOURCE, "source": GUIDELINE, "confidence": "S"},
    {"code": "joint_patent", "text": JOINT_PATENT_RULE_SOURCE, "source": GUIDELINE, "confidence": "S"},
    {"code": "protection_shares", "text": SHARES_RULE_SOURCE, "source": GUIDELINE, "confidence": "S"},
]


def role_fits(role: str, kind: str, is_sme: bool | None) -> bool:
    """Whether an organisation of ``kind`` (and 是否中小企业 ``is_sme``) may be a member in ``role``."""
    if kind not in ROLE_KINDS.get(role, ()):
        return False
    if role == SME:
        return is_sme is True
    if role == LEAD_ENTERPRISE:
        return is_sme is not True
    return True


def role_for(kind: str, is_sme: bool | None) -> str | None:
    """The role an organisation takes by default (the lead joins in it): None when no role fits."""
    for role in (LEAD_ENTERPRISE, SME, UNIVERSITY, INSTITUTE, SERVICE_AGENCY, INVESTMENT_AGENCY):
        if role_fits(role, kind, is_sme):
            return role
    return None
