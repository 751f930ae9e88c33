import datetime as dt

from ipoc.core.management.base import IpocCommand
from ipoc.patents import selectors


class Command(IpocCommand):
    help = "查看一件专利的标准化记录 / Show one normalised patent: ipoc patents show NUMBER"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show"])
        parser.add_argument("number", help="公开号、申请号、授权公告号或唯一键 / publication, application or grant number")
        parser.add_argument("--on", type=dt.date.fromisoformat, help="计算有效性的日期 / as-of date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        patent = selectors.patent_get(user=None, key_or_number=options["number"])
        data = selectors.patent_detail_dict(patent, on_date=options["on"])
        text = (f"{data['publication_number'] or data['key']}  {data['title']}\n"
                f"  {data['patent_type_label']} · {data['legal_status_label']} · 申请日 {data['application_date']} · "
                f"届满 {data['expiry_date']} · 剩余 {data['remaining_life_years']} 年 · "
                f"{'有效' if data['in_force'] else '非有效'}（{data['as_of']}）\n"
                f"  申请人 {', '.join(a['name'] for a in data['applicants'])} · IPC {', '.join(data['ipc'])}")
        self.emit(options, data, text)
