import datetime as dt

from ipoc.core.management.base import IpocCommand
from ipoc.licensing import eligibility, selectors


class Command(IpocCommand):
    help = ("专利开放许可 / Open licences: ipoc licensing check NUMBER | declarations | royalties --year Y "
            "(已确认收款与待许可人确认分列 / confirmed vs unconfirmed) | "
            "remind (逾期提成与未备案提醒，可每日定时运行 / daily reminders) [--json]")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "declarations", "royalties", "remind"])
        parser.add_argument("number", nargs="?", default="", help="专利号（check）/ patent number")
        parser.add_argument("--year", type=int, default=dt.date.today().year, help="年度 / year")
        parser.add_argument("--all", action="store_true", help="含已撤回的声明 / include withdrawn")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "check":
            from ipoc.core.errors import ApplicationError
            from ipoc.patents import selectors as patent_selectors

            if not options["number"]:
                raise ApplicationError("请给出专利号 / a patent number is required", field="number")
            patent = patent_selectors.patent_get(user=None, key_or_number=options["number"])
            data = eligibility.check(patent)
            lines = [f"{patent.number} {patent.title}", "可以声明 / eligible" if data["eligible"]
                     else f"不能声明 / not eligible: {len(data['blockers'])}"]
            for b in data["blockers"]:
                lines.append(f"  ✗ {b['message']} —— {b['rule']['source']}")
                lines += [f"      · {r['label']}" for r in b["records"]]
            return self.emit(options, data, "\n".join(lines))
        if action == "remind":
            from ipoc.licensing import services

            sent = services.reminders_send()
            return self.emit(options, sent, f"已发送提醒 / reminders sent: 逾期提成 {sent['royalty_overdue']}，"
                                            f"未备案 {sent['filing_overdue']}")
        if action == "declarations":
            rows = [selectors.public_row(d) for d in selectors.public_declarations(include_withdrawn=options["all"])]
            text = "\n".join(f"{r['patent_number']}\t{r['holder']}\t{r['fee']}\t{r['status_label']}\t"
                             f"{r['published_on'] or '—'}" for r in rows) or "（无 / none）"
            return self.emit(options, rows, text)
        data = selectors.royalty_totals(year=options["year"])
        lines = [f"{data['year']} 年许可费（许可人已确认收款）/ royalties confirmed: {data['total']:,.2f} 元"
                 f"（{len(data['payment_ids'])} 笔）",
                 f"已报付款、待许可人确认（不计入上项）/ declared, unconfirmed: {data['unconfirmed_total']:,.2f} 元"
                 f"（{len(data['unconfirmed_payment_ids'])} 笔，其中对账异议 / disputed "
                 f"{len(data['disputed_payment_ids'])} 笔 {data['disputed_total']:,.2f} 元）",
                 "专利 / patent\t已确认 / confirmed\t待确认 / unconfirmed"]
        lines += [f"  {r['patent_number']}\t{r['amount']:,.2f}\t{r['unconfirmed']:,.2f}" for r in data["by_patent"]]
        return self.emit(options, data, "\n".join(lines))
