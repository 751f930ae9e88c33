"""Input of the 专利导航 pages: a set's definition by kind (pickers and lists, no typed ids) and matrix terms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.analytics.models import SetKind, TermAxis
from ipoc.core.pickers import MultiPickerField, PickerField

PATENT_TYPES = [("", _("不限")), ("invention", _("发明")), ("utility_model", _("实用新型")), ("design", _("外观设计"))]
LEGAL_STATUSES = [("", _("不限")), ("valid", _("有效")), ("pending", _("审中")), ("lapsed", _("失效"))]


class PatentSetForm(forms.Form):
    """The fields of one kind of set; the others are removed in ``__init__``."""

    name = forms.CharField(label=_("集合名称"), max_length=200)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # 保存的检索
    q = forms.CharField(label=_("检索式"), required=False, max_length=200,
                        help_text=_("检索词，与检索页相同；留空则只按筛选条件"))
    patent_type = forms.ChoiceField(label=_("专利类型"), choices=PATENT_TYPES, required=False)
    legal_status = forms.ChoiceField(label=_("法律状态"), choices=LEGAL_STATUSES, required=False)
    ipc = forms.CharField(label=_("IPC 分类号（前缀）"), required=False, max_length=20, help_text=_("例如 H01L 或 G06F16/"))
    applicant = forms.CharField(label=_("申请人（包含）"), required=False, max_length=100)
    region = forms.CharField(label=_("国省代码（前缀）"), required=False, max_length=8, help_text=_("例如 32（江苏）"))
    application_date_from = forms.DateField(label=_("申请日起"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
    application_date_to = forms.DateField(label=_("申请日止"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))
    # 产业链节点 / 导入批次 / 存量清单
    node_id = forms.TypedChoiceField(label=_("产业链节点"), coerce=int, required=False)
    batch_id = forms.TypedChoiceField(label=_("导入批次"), coerce=int, required=False)
    institution_id = PickerField("organizations", label=_("高校院所"), required=False,
                                 help_text=_("留空为您可查看的全部存量专利"))
    patent_ids = MultiPickerField("patents", label=_("专利"), required=False, help_text=_("输入专利号或名称搜索，可多选"))

    FIELDS = {
        SetKind.SEARCH: ("q", "patent_type", "legal_status", "ipc", "applicant", "region", "application_date_from",
                         "application_date_to"),
        SetKind.CHAIN_NODE: ("node_id",),
        SetKind.IMPORT_BATCH: ("batch_id",),
        SetKind.STOCK: ("institution_id",),
        SetKind.POOL: (),
        SetKind.MANUAL: ("patent_ids",),
    }

    def __init__(self, *args, kind: str, nodes=(), batches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"name", "description", *self.FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "node_id" in self.fields:
            self.fields["node_id"].choices = [("", _("请选择产业链节点"))] + list(nodes)
            self.fields["node_id"].required = True
        if "batch_id" in self.fields:
            self.fields["batch_id"].choices = [("", _("请选择导入批次"))] + list(batches)
            self.fields["batch_id"].required = True
        if "patent_ids" in self.fields:
            self.fields["patent_ids"].required = True
            self.fields["patent_ids"].wide = True

    def definition(self) -> dict:
        data = self.cleaned_data
        if self.kind == SetKind.SEARCH:
            filters = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                       for k in self.FIELDS[SetKind.SEARCH][1:] if (v := data.get(k)) not in (None, "")}
            return {"q": data.get("q") or "", "filters": filters}
        if self.kind == SetKind.STOCK:
            inst = data.get("institution_id")
            return {"institution_id": inst.pk if inst else None}
        if self.kind == SetKind.MANUAL:
            return {"patent_ids": [p.pk for p in data.get("patent_ids") or []]}
        return {k: data.get(k) for k in self.FIELDS[self.kind]}

    def _post_clean(self):
        """The service validates."""


class MatrixTermForm(forms.Form):
    axis = forms.ChoiceField(label=_("维度"), choices=TermAxis.choices)
    label = forms.CharField(label=_("名称"), max_length=60)
    words = forms.CharField(label=_("检索词"), required=False, max_length=400,
                            help_text=_("用逗号或顿号分隔；在名称与摘要中出现任一词即计入"))
    reviewed = forms.BooleanField(label=_("已审核"), required=False, initial=True)
