"""Input of the 创新联合体 pages; the rules live in ``services``. Organisations and patents are picked by search
(Tom Select), dates are date fields: a wrong value is an error under its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.alliances.models import (
    Consortium,
    ConsortiumAgreement,
    ConsortiumStatus,
    JointProject,
    MemberRole,
    ProjectStatus,
    ProtectionKind,
    ProtectionStatus,
    ServiceKind,
)
from ipoc.core.pickers import MultiPickerField, PickerField


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs})


def _wide(form, *names):
    for name in names:
        if name in form.fields:
            form.fields[name].wide = True


class ConsortiumForm(forms.ModelForm):
    center = PickerField("operation_centers", label=_("组建运营中心"), required=False,
                         help_text=_("平台管理员登记时选择；运营中心工作人员组建的联合体属于本中心"))
    lead = PickerField("organizations", label=_("牵头单位"),
                       help_text=_("龙头企业（非中小企业）、高校或科研院所；牵头单位自动成为首个成员"))

    class Meta:
        model = Consortium
        fields = ["name", "industry", "center", "lead", "status", "established_on", "dissolved_on", "goal"]
        widgets = {"established_on": _date(), "dissolved_on": _date(), "goal": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"dissolved_on": _("状态为“已解散”时填写，留空为今天；在册成员同日退出")}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _wide(self, "name", "goal")
        self.fields["established_on"].required = False
        self.fields["established_on"].help_text = _("留空为今天")
        if editing:
            del self.fields["lead"]
            del self.fields["center"]
        else:
            del self.fields["dissolved_on"]
            self.fields["status"].choices = [c for c in ConsortiumStatus.choices if c[0] != ConsortiumStatus.DISSOLVED]

    def _post_clean(self):
        """The service validates and saves (the form only parses input)."""


class MemberForm(forms.Form):
    organization = PickerField("organizations", label=_("成员单位"), help_text=_("输入单位名称搜索"))
    role = forms.ChoiceField(label=_("成员角色"), choices=[("", _("请选择成员角色"))] + list(MemberRole.choices),
                             help_text=_("须与单位类型一致：龙头企业为非中小企业，中小企业为标注“中小企业”的企业"))
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=_date(), help_text=_("留空为今天"))
    note = forms.CharField(label=_("备注"), required=False, max_length=300)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), required=False, widget=_date(), help_text=_("留空为今天"))
    reason = forms.CharField(label=_("退出原因"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_leave_%s")
        super().__init__(*args, **kwargs)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = ConsortiumAgreement
        fields = ["signed_on", "result_ownership", "ownership_terms", "cross_licence_scope", "cross_licence_terms",
                  "revenue_sharing", "revenue_terms"]
        widgets = {"signed_on": _date(), "ownership_terms": forms.Textarea(attrs={"rows": 3}),
                   "cross_licence_terms": forms.Textarea(attrs={"rows": 3}),
                   "revenue_terms": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _wide(self, "ownership_terms", "cross_licence_terms", "revenue_terms")
        for name, label in (("result_ownership", _("请选择成果归属方式")), ("cross_licence_scope", _("请选择交叉许可范围")),
                            ("revenue_sharing", _("请选择收益分配方式"))):
            self.fields[name].choices = [("", label)] + list(self.fields[name].choices)[1:]

    def _post_clean(self):
        """The service validates and saves."""


class AgreementFileForm(forms.Form):
    document = forms.FileField(label=_("协议文本"), help_text=_("PDF、OFD、Word、图片或 ZIP，不超过 20 MB"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].wide = True


class ProjectForm(forms.ModelForm):
    leader = PickerField("organizations", label=_("承担单位"), help_text=_("联合体的在册成员"))
    participants = MultiPickerField("organizations", label=_("参与单位"), required=False,
                                    help_text=_("联合体的在册成员，可多选"))

    class Meta:
        model = JointProject
        fields = ["title", "leader", "participants", "budget", "status", "start_date", "end_date", "description"]
        widgets = {"start_date": _date(), "end_date": _date(), "description": forms.Textarea(attrs={"rows": 3})}
        labels = {"budget": _("项目预算（元）")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _wide(self, "title", "participants", "description")
        self.fields["status"].choices = list(ProjectStatus.choices)

    def _post_clean(self):
        """The service validates and saves."""


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("里程碑"), max_length=200)
    due_on = forms.DateField(label=_("计划完成日期"), widget=_date())
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_milestone_%s")
        super().__init__(*args, **kwargs)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("实际完成日期"), required=False, widget=_date(), help_text=_("留空为今天"))


class JointPatentForm(forms.Form):
    patent = PickerField("patents", label=_("产出专利"), help_text=_("输入专利号或名称搜索；申请人须有联合体成员"))
    recorded_on = forms.DateField(label=_("登记日期"), required=False, widget=_date(), help_text=_("留空为今天"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_jp_%s")
        super().__init__(*args, **kwargs)
        self.fields["patent"].wide = True


class SharedPatentForm(forms.Form):
    patent = PickerField("patents", label=_("专利"), help_text=_("输入专利号或名称搜索；须为贡献单位持有的专利"))
    contributed_by = PickerField("organizations", label=_("贡献单位"), required=False,
                                 help_text=_("联合体在册成员；成员单位用户登记时为本单位"))
    contributed_on = forms.DateField(label=_("纳入日期"), required=False, widget=_date(), help_text=_("留空为今天"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patent"].wide = True


class ProtectionForm(forms.Form):
    """A protection decision; one share field per member in force (承担比例 %, summing to 100)."""

    kind = forms.ChoiceField(label=_("行动类型"), choices=[("", _("请选择行动类型"))] + list(ProtectionKind.choices))
    title = forms.CharField(label=_("事项名称"), max_length=200)
    target = forms.CharField(label=_("对象"), max_length=300,
                             help_text=_("被诉侵权方、无效宣告所针对的专利权人等"))
    target_patent = PickerField("patents", label=_("涉及的对方专利"), required=False,
                                help_text=_("无效宣告请求时必选"))
    patents = MultiPickerField("patents", label=_("据以维权的联合体专利"), required=False,
                               help_text=_("联合维权时必选"))
    decided_on = forms.DateField(label=_("决定日期"), widget=_date())
    status = forms.ChoiceField(label=_("状态"), choices=ProtectionStatus.choices, initial=ProtectionStatus.DECIDED)
    budget = forms.DecimalField(label=_("预计费用（元）"), required=False, min_value=0, max_digits=16, decimal_places=2)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        _wide(self, "title", "target", "patents")
        self.share_names = []
        for m in members:
            name = f"share_{m.organization_id}"
            self.fields[name] = forms.DecimalField(
                label=_("%(o)s 承担比例（%%）") % {"o": m.organization.name}, required=False, min_value=0,
                max_value=100, decimal_places=2, max_digits=5)
            self.fields[name].organization = m.organization
            self.share_names.append(name)

    def shares(self):
        return [(self.fields[n].organization, self.cleaned_data.get(n)) for n in self.share_names]


class ProtectionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ProtectionStatus.choices)
    outcome = forms.CharField(label=_("结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SmeServiceForm(forms.Form):
    provider = PickerField("organizations", label=_("服务提供方"),
                           help_text=_("联合体的非中小企业成员（龙头企业、高校、院所等）"))
    sme = PickerField("organizations", label=_("受服务中小企业"), help_text=_("标注为中小企业的企业，可不是成员"))
    kind = forms.ChoiceField(label=_("服务方式"), choices=[("", _("请选择服务方式"))] + list(ServiceKind.choices))
    served_on = forms.DateField(label=_("服务日期"), widget=_date())
    content = forms.CharField(label=_("服务内容"), max_length=300)
    outcome = forms.CharField(label=_("服务成效"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _wide(self, "content", "outcome")
