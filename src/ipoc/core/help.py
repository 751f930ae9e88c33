"""用户操作手册: one guide per role, written as templates under ``core/templates/core/help/`` and illustrated
with the screenshot gallery's pictures (``scripts/screenshots.py``), so the guide shows the pages as they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    role: str
    summary: str


GUIDES = {g.slug: g for g in (
    Guide("office", _("知识产权管理部门操作手册"), "office_staff", _("登记、认定审核、年度报告、定期评价与动态管理")),
    Guide("center", _("运营中心操作手册"), "center_staff", _("需求受理、供需匹配、路演对接、交易撮合、存量盘活")),
    Guide("enterprise", _("企业用户操作手册"), "enterprise_user", _("发布技术需求、查看推送与对接进展")),
    Guide("university", _("高校院所操作手册"), "institution_user", _("存量专利建档、盘活进展与意向对接")),
    Guide("expert", _("评审专家操作手册"), "expert", _("评审任务、回避声明与评分")),
    Guide("admin", _("平台管理员手册"), "platform_admin", _("安装、用户与组织、备份与升级")),
)}


def guides_for(role: str) -> list[Guide]:
    """Every guide, the reader's own first."""
    return sorted(GUIDES.values(), key=lambda g: (g.role != role, list(GUIDES).index(g.slug)))


# ---------------------------------------------------------------- the guides' pictures


@dataclass(frozen=True)
class Shot:
    """One picture of a guide: ``user`` (a demo account) opens ``path``, then (optionally) follows the first link
    whose text contains ``click`` — a record whose id the demo decides — and the window is photographed with
    ``mark`` (a CSS selector) outlined. Written by ``ipoc screenshots OUT --guide`` to ``OUT/<guide>/<name>``."""

    name: str
    user: str
    path: str
    caption: str
    click: str = ""
    mark: str = ""

    def static_path(self, guide: str) -> str:
        return f"{GUIDE_STATIC}/{guide}/{self.name}"


GUIDE_STATIC = "ipoc/guide"  # under src/ipoc/static/
# The manuals are Chinese documents (用户操作手册); their body text and captions are not in the catalogue.
GUIDE_VIEWPORT = (1280, 800)

GUIDE_SHOTS: dict[str, list[Shot]] = {
    "office": [
        Shot("home.jpg", "office", "/", "管理部门工作台：待办的认定申请、年度报告、定期评价和整改复查"),
        Shot("formal-review.jpg", "office", "/", "认定申请详情：形式审查（受理、退回补正或不予受理）",
             click="智能网联汽车产业知识产权运营中心（演示）"),
        Shot("decision.jpg", "office", "/", "公示期满的申请：处理完异议后作出认定决定",
             click="节能环保产业知识产权运营中心（演示）"),
        Shot("reports.jpg", "office", "/centers/reports/", "年度报告与评价：审核年度工作报告、开展定期评价"),
        Shot("dashboard.jpg", "office", "/centers/dashboard/", "运营中心看板：各省运营中心分布与工作成效"),
    ],
    "center": [
        Shot("home.jpg", "center", "/", "运营中心工作台：待受理的需求、待确认的匹配、待推进的交易和即将举办的活动"),
        Shot("demand.jpg", "center", "/", "待审核的需求：受理并发布，或退回补正", click="低功耗物联网终端休眠唤醒技术"),
        Shot("matches.jpg", "center", "/", "需求的匹配专利：逐件查看匹配说明，确认（推送给双方）或否决",
             click="微波通信技术解决方案"),
        Shot("events.jpg", "center", "/events/", "路演对接：活动、报名和签约意向"),
        Shot("deals.jpg", "center", "/deals/", "交易撮合：按阶段推进，签约时登记金额和日期"),
        Shot("stock.jpg", "center", "/stock/", "存量专利盘活：所服务高校院所的专利，评价、筛选与推送"),
    ],
    "enterprise": [
        Shot("home.jpg", "enterprise", "/", "企业工作台：待反馈的推送、推荐的专利、需求进展和报名的活动"),
        Shot("demand-new.jpg", "enterprise", "/demands/new/", "发布技术需求：填写需求并选择受理的运营中心"),
        Shot("matches.jpg", "enterprise", "/", "运营中心推荐给本单位需求的专利",
             click="面向5G基站的高效率射频功率放大器技术"),
        Shot("pushes.jpg", "enterprise", "/stock/pushes/", "专利推送：对高校院所存量专利的推送作出反馈"),
        Shot("event.jpg", "enterprise", "/", "活动详情：报名参加路演推介", click="集成电路与通信专利路演推介会"),
    ],
    "university": [
        Shot("home.jpg", "university", "/", "高校/院所工作台：待审核的存量专利、需求进展、交易和活动"),
        Shot("stock-file.jpg", "university", "/stock/file/", "建档：从专利库选择本单位的专利，或批量导入"),
        Shot("stock-review.jpg", "university", "/", "存量专利详情：提交审核、院系审核、学校审核",
             click="一种直流配电网断路器优化配置方法及系统"),
        Shot("stock.jpg", "university", "/stock/", "存量专利清单：建档、审核环节和所在库"),
        Shot("listings.jpg", "university", "/matching/listings/", "挂牌：本单位挂牌转让、许可的专利"),
    ],
    "expert": [
        Shot("home.jpg", "expert", "/", "评审专家工作台：待完成的评审及期限"),
        Shot("review.jpg", "expert", "/", "评审任务：先作出利益冲突声明，再逐项打分并提交",
             click="新能源产业知识产权运营中心（演示）"),
        Shot("reviews.jpg", "expert", "/centers/reviews/", "全部评审任务：已提交与待完成"),
    ],
    "admin": [
        Shot("home.jpg", "admin", "/", "平台管理员工作台"),
        Shot("organizations.jpg", "admin", "/organizations/", "组织机构：查看和维护各类单位"),
        Shot("tokens.jpg", "admin", "/account/tokens/", "API 令牌：为对接系统签发、撤销令牌"),
        Shot("audit.jpg", "admin", "/audit/", "审计日志：谁在何时改了什么"),
    ],
}


def guide_shot(guide: str, name: str) -> Shot:
    for shot in GUIDE_SHOTS.get(guide, []):
        if shot.name == name:
            return shot
    raise KeyError(f"no picture {name!r} in the {guide!r} guide")
