"""Every rule the centers app applies, in ONE place, each with its source.

Confidence marks follow /work/shared/policy/RULES.md: ``P`` primary legal text,
``I`` CNIPA's official interpretation of the guideline, ``S`` a secondary report or
a platform default — configuration that the UI shows as 待核实 (to be confirmed
against the official text). An instance overrides any value with the Django
setting ``IPOC_CENTER_RULES = {"<code>": value}``; nothing else in the code holds
a threshold, a keyword or a pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

GUIDELINE = "《产业知识产权运营中心建设管理工作指引（暂行）》（国知办函运字〔2024〕1155号）"
INTERPRETATION = f"国家知识产权局办公室关于{GUIDELINE}的解读"
PLATFORM = "平台默认配置（无官方原文依据）"


@dataclass(frozen=True)
class PolicyRule:
    code: str
    title: str
    text: str
    source: str
    confidence: str  # "P" | "I" | "S"
    default: Any = None

    @property
    def value(self) -> Any:
        return getattr(settings, "IPOC_CENTER_RULES", {}).get(self.code, self.default)

    def value_for(self, office) -> Any:
        """The value for centers managed by ``office`` (an Organization or its id): the office's own setting
        where it has one and the rule is office-configurable, else the platform value."""
        office_id = getattr(office, "pk", office)
        if office_id and self.code in OFFICE_CONFIGURABLE:
            from ipoc.centers.models import RuleOverride

            row = RuleOverride.objects.filter(office_id=office_id, code=self.code).values_list("value",
                                                                                              flat=True).first()
            if row is not None:
                return row
        return self.value

    @property
    def office_configurable(self) -> bool:
        return self.code in OFFICE_CONFIGURABLE

    @property
    def to_confirm(self) -> bool:
        """[S] rules are configuration, shown as 待核实."""
        return self.confidence == "S"

    @property
    def overridden(self) -> bool:
        return self.code in getattr(settings, "IPOC_CENTER_RULES", {})

    def quote(self) -> str:
        """The rule as quoted in refusals: text and source."""
        return f"“{self.text}”（{self.source}）"

    def as_dict(self) -> dict:
        return {"code": self.code, "title": str(self.title), "text": str(self.text), "source": self.source,
                "confidence": self.confidence, "to_confirm": self.to_confirm, "value": self.value,
                "default": self.default, "overridden": self.overridden,
                "office_configurable": self.office_configurable}


RULES: dict[str, PolicyRule] = {}


def _rule(code: str, title, text, source: str, confidence: str, default: Any = None) -> PolicyRule:
    rule = PolicyRule(code, title, text, source, confidence, default)
    RULES[code] = rule
    return rule


def rule(code: str) -> PolicyRule:
    return RULES[code]


# ---------------------------------------------------------------- naming and branches

NO_SUB_CENTERS = _rule(
    "no_sub_centers", _("不得自行设立分中心"),
    _("产业知识产权运营中心不得自行设立分中心"),
    f"{INTERPRETATION}，三、主要内容·第四部分（认定管理）", "I")

BRANCH_NAME_MARKERS = _rule(
    "branch_name_markers", _("疑似分支机构的名称关键词"),
    _("名称或建设主体名称含下列关键词的登记，提示管理部门核查是否为未经批准的分中心"),
    f"{PLATFORM}；依据“不得自行设立分中心”", "S",
    ["分中心", "分部", "分站", "分所", "分平台", "分支机构", "分基地"])

NAME_REQUIRED_TEXT = _rule(
    "name_required_text", _("运营中心名称须含“知识产权运营中心”"),
    _("产业知识产权运营中心的名称应当含有“知识产权运营中心”字样"),
    PLATFORM, "S", "知识产权运营中心")

NATIONAL_NAME_PATTERN = _rule(
    "national_name_pattern", _("国家级运营中心命名方式"),
    _("经认定的国家级产业知识产权运营中心按统一方式命名"),
    f"{INTERPRETATION}，第四部分“命名方式”（原文措辞未获取，模式为平台默认）", "S",
    "国家{industry}产业知识产权运营中心")

NATIONAL_NAME_PREFIX = _rule(
    "national_name_prefix", _("“国家”字头名称保留给已认定的国家级运营中心"),
    _("未经认定的运营中心不得使用以“国家”开头的名称"),
    f"{INTERPRETATION}，第四部分“命名方式”（平台推定，待核实）", "S", "国家")

# ---------------------------------------------------------------- levels, offices and status

OFFICE_LEVEL_FOR_CENTER_LEVEL = _rule(
    "office_level_for_center_level", _("各级运营中心的管理部门层级"),
    _("国家知识产权局和地方各级知识产权管理部门分级负责各级产业知识产权运营中心的认定和管理"),
    f"{INTERPRETATION}，第四部分（认定管理）", "I",
    {"national": ["national"], "provincial": ["provincial"], "municipal": ["municipal"]})

BUILD_THEN_RECOGNISE = _rule(
    "build_then_recognise", _("先建设、后认定，有进有出"),
    _("按照先建设、后认定的原则……对认定后的产业知识产权运营中心开展定期评价，实施动态管理，"
      "对成效突出的予以鼓励支持，达不到要求的及时退出"),
    f"{INTERPRETATION}，二、总体思路“三方兼顾”；三、第三部分", "I")

LEGACY_LETTER_SUPPORT = _rule(
    "legacy_letter_support", _("复函支持不等于资格认定"),
    _("此前，国家知识产权局以复函形式，支持部分产业领域开展产业知识产权运营中心建设，但并未予以资格认定"),
    f"{INTERPRETATION}，四、需要重点说明的问题·三是关于工作衔接", "I")

# ---------------------------------------------------------------- basic conditions (第三部分)

HOST_TYPES_NATIONAL = _rule(
    "host_types_national", _("国家级运营中心的建设主体"),
    _("承担运营中心建设的主体一般应为行业龙头企业、科研能力突出的科研院所、重点产业集聚的国家级产业园区或者全国性行业协会等"),
    f"{INTERPRETATION}，三、主要内容·第三部分（基础条件）", "I",
    ["leading_enterprise", "research_institute", "national_park", "national_association"])

HOST_TYPES_LOCAL = _rule(
    "host_types_local", _("省级、市级运营中心的建设主体"),
    _("鼓励具备条件的龙头企业、科研院所、产业园区、行业协会等各类主体开展运营中心建设；地方认定标准由各地确定"),
    f"{INTERPRETATION}，二、总体思路“三方兼顾”（地方标准未获取）", "S",
    ["leading_enterprise", "research_institute", "national_park", "national_association", "other"])

SUPPORT_CONDITIONS = _rule(
    "support_conditions", _("条件保障：工作机构、场地、人员、经费"),
    _("建设主体应当具备相应的工作机构、场地、人员、经费等必要条件"),
    f"{INTERPRETATION}，三、主要内容·第三部分（基础条件）", "I",
    ["work_unit", "premises", "personnel", "funding"])

NATIONAL_ANNUAL_DEAL_AMOUNT = _rule(
    "national_annual_deal_amount", _("国家级：年度转化运营金额"),
    _("年度转化运营金额不低于500万元（含产业链间、产业链内的转让、许可、作价入股、投融资）"),
    "二手报道（RULES.md [S]）", "S", 500)  # 万元

NATIONAL_CUMULATIVE_PROJECTS = _rule(
    "national_cumulative_projects", _("国家级：转化项目、产业化项目累计"),
    _("组织实施知识产权转化项目、专利产业化项目累计不少于10个"),
    "二手报道（RULES.md [S]）", "S", 10)

NATIONAL_STOCK_REVITALIZED = _rule(
    "national_stock_revitalized", _("国家级：高校和科研机构存量专利盘活成效"),
    _("重点考察在高校和科研机构存量专利盘活方面取得的实际成效"),
    f"{INTERPRETATION}，三、第三部分（工作成效）；数量门槛为平台默认", "S", 1)

NATIONAL_SMES_SERVED = _rule(
    "national_smes_served", _("国家级：服务中小企业"),
    _("重点考察在服务中小企业方面取得的实际成效"),
    f"{INTERPRETATION}，三、第三部分（工作成效）；数量门槛为平台默认", "S", 1)

NATIONAL_DEMANDS_SOLVED = _rule(
    "national_demands_solved", _("国家级：转化对接解决的产业专利技术需求"),
    _("主动收集梳理产业专利技术需求……积极组织多种形式的供需对接活动"),
    f"{INTERPRETATION}，三、第二部分（开展转化对接）；数量门槛为平台默认", "S", 1)

LOCAL_SMES_SERVED = _rule(
    "local_smes_served", _("省级、市级：服务中小企业"),
    _("地方认定标准由各地确定；平台默认要求有服务中小企业的记录"),
    PLATFORM, "S", 1)

LOCAL_DEMANDS_SOLVED = _rule(
    "local_demands_solved", _("省级、市级：解决的产业专利技术需求"),
    _("地方认定标准由各地确定；平台默认要求有解决产业专利技术需求的记录"),
    PLATFORM, "S", 1)

# ---------------------------------------------------------------- 认定 workflow (第四部分)

RECOGNITION_PROCEDURE = _rule(
    "recognition_procedure", _("认定程序"),
    _("运营中心认定按照中心申报、地方知识产权管理部门审核推荐、国家知识产权局组织评审和公示等程序进行；"
      "地方各级知识产权管理部门参照开展本级运营中心认定"),
    f"{INTERPRETATION}，三、主要内容·第四部分（认定管理）；各环节细节为平台默认", "S")

STEP_DAYS = _rule(
    "step_days", _("各环节办理期限（日）"),
    _("推荐、形式审查、补正、专家评审各环节的办理期限，逾期提醒办理人"),
    PLATFORM, "S", {"recommend": 20, "formal_review": 15, "correction": 15, "expert_review": 20})

REMIND_DAYS_BEFORE = _rule(
    "remind_days_before", _("到期前提醒天数"),
    _("办理期限届满前若干日起提醒办理人"),
    PLATFORM, "S", 3)

SCORING_SHEET = _rule(
    "scoring_sheet", _("认定专家评分表"),
    _("专家按评分表逐项打分，各项分值之和为100分"),
    f"{PLATFORM}；评分项依据解读第二、三部分的五项职责和基础条件", "S",
    [{"code": "conditions", "label": "建设主体与条件保障", "max": 20},
     {"code": "collaboration", "label": "产业协同（创新联合体、专利池）", "max": 15},
     {"code": "academia", "label": "产学研合作（存量专利盘活）", "max": 15},
     {"code": "transfer", "label": "转化对接与交易撮合", "max": 20},
     {"code": "industrialisation", "label": "专利产业化", "max": 15},
     {"code": "services", "label": "专业服务", "max": 15}])

MIN_EXPERT_SCORES = _rule(
    "min_expert_scores", _("有效专家评分最少份数"),
    _("专家评审须有不少于规定份数的有效评分（声明回避的专家不计）"),
    PLATFORM, "S", 2)

PASS_SCORE = _rule(
    "pass_score", _("专家评审通过分数"),
    _("专家评审综合得分（各有效评分的平均值）达到该分数的，进入公示"),
    PLATFORM, "S", 70)

PUBLICITY_WORKING_DAYS = _rule(
    "publicity_working_days", _("公示期（工作日）"),
    _("拟认定名单向社会公示，公示期内任何单位和个人可实名提出异议"),
    f"{INTERPRETATION}，第四部分（公示）；公示期长度为平台默认（不计周六、周日，未计法定节假日）", "S", 5)

CERTIFICATE_NUMBER_PATTERN = _rule(
    "certificate_number_pattern", _("认定证书编号格式"),
    _("认定证书按年度和顺序号编号"),
    PLATFORM, "S", "IPOC-{level}-{year}-{seq:03d}")

# ---------------------------------------------------------------- 定期评价和动态管理 (第四部分)

EVALUATION_INDICATORS = _rule(
    "evaluation_indicators", _("定期评价指标体系"),
    _("对认定后的产业知识产权运营中心开展定期评价；指标、目标值和权重为平台默认配置"),
    f"{INTERPRETATION}，三、第四部分（定期评价）；指标体系为平台默认", "S",
    [{"code": "annual_deal_amount", "label": "年度转化运营金额", "source": "kpi", "target": 500, "weight": 20},
     {"code": "cumulative_projects", "label": "转化项目、产业化项目累计", "source": "kpi", "target": 10,
      "weight": 15},
     {"code": "stock_patents_revitalized", "label": "存量专利盘活", "source": "kpi", "target": 10, "weight": 15},
     {"code": "demands_solved", "label": "解决产业专利技术需求", "source": "kpi", "target": 10, "weight": 10},
     {"code": "smes_served", "label": "服务中小企业", "source": "kpi", "target": 20, "weight": 10},
     {"code": "expert_overall", "label": "专家综合评价", "source": "expert", "target": 100, "weight": 30}])

GRADE_THRESHOLDS = _rule(
    "grade_thresholds", _("评价等次分数线"),
    _("评价结果分为优秀、良好、合格、不合格"),
    f"{INTERPRETATION}，第四部分（定期评价）；分数线为平台默认", "S",
    {"excellent": 90, "good": 75, "pass": 60})

RECTIFY_ON_FAIL = _rule(
    "rectify_on_fail", _("不合格的限期整改"),
    _("定期评价不合格的，责令限期整改；整改后复查仍不合格的，取消资格"),
    f"{INTERPRETATION}，第四部分（动态管理）；整改期限为平台默认", "S", 90)

REVOCATION_GROUNDS = _rule(
    "revocation_grounds", _("取消资格的情形"),
    _("整改不合格、弄虚作假或者自行设立分中心的，取消产业知识产权运营中心资格，并退出名录"),
    f"{INTERPRETATION}，第四部分列有“动态管理、资格取消”及“不得自行设立分中心”（原文措辞未获取，情形为平台归纳）", "S",
    ["failed_rectification", "fraud", "sub_center", "other"])

COMMEND_EXCELLENT = _rule(
    "commend_excellent", _("优秀的鼓励支持"),
    _("对成效突出的予以鼓励支持"),
    f"{INTERPRETATION}，二、总体思路“三方兼顾”", "I")


# Rules an office may set for the centers it manages (its own level's rule set); the rest are the guideline's
# text or platform-wide.
OFFICE_CONFIGURABLE = frozenset({
    "host_types_national", "host_types_local", "support_conditions", "national_annual_deal_amount",
    "national_cumulative_projects", "national_stock_revitalized", "national_smes_served", "national_demands_solved",
    "local_smes_served", "local_demands_solved", "step_days", "scoring_sheet", "min_expert_scores", "pass_score",
    "publicity_working_days", "evaluation_indicators", "grade_thresholds", "rectify_on_fail",
})
