"""Input of the centers pages; the rules live in ``services`` (model validation is the service's job)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.centers.models import Center, CenterStatus, EvidenceKind
from ipoc.core.models import Organization, OrganizationKind
from ipoc.core.pickers import MultiPickerField, PickerField, set_picker_querysets

NOT_A_HOST = (OrganizationKind.OPERATION_CENTER, OrganizationKind.IP_OFFICE)


class _RegistryFields:
    """What the new-center and edit forms share: the host organisation picked by search (thousands of
    organisations), the managing office from the few offices, dates as date inputs."""

    def _setup(self, user) -> None:
        set_picker_querysets(self, user)
        host = self.fields["host_organization"]
        host.queryset = host.queryset.exclude(kind__in=NOT_A_HOST)
        host.error_messages["invalid_choice"] = _("请选择建设主体（企业、高校、科研院所、产业园区或行业协会等），"
                                                  "不能是运营中心或知识产权管理部门")
        if "managing_office" in self.fields:
            field = self.fields["managing_office"]
            field.queryset = Organization.objects.filter(kind=OrganizationKind.IP_OFFICE).order_by("office_level",
                                                                                                    "name")
            field.widget.attrs["data-searchable"] = ""
        self.fields["region_code"].required = False
        self.fields["region_code"].help_text = _("6 位行政区划代码，如 320500（苏州市）；留空则取运营中心机构所在地区")
        for field in self.fields.values():  # "请选择…" instead of Django's "---------"
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("请选择…")
            elif isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", _("请选择…")), *field.choices[1:]]
        if user is not None and "managing_office" in self.fields and not self.is_bound and self.instance.pk is None \
                and getattr(user.organization, "kind", "") == OrganizationKind.IP_OFFICE:
            self.initial.setdefault("managing_office", user.organization.pk)


class CenterForm(_RegistryFields, forms.ModelForm):
    host_organization = PickerField("organizations", label=_("建设主体"),
                                    help_text=_("输入名称或统一社会信用代码搜索"))

    class Meta:
        model = Center
        fields = ["organization", "name", "host_organization", "host_type", "industry", "industry_chain", "level",
                  "managing_office", "region_code", "staff_count", "started_on", "status"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup(user)
        orgs = Organization.objects.order_by("name")
        self.fields["organization"].queryset = orgs.filter(kind=OrganizationKind.OPERATION_CENTER,
                                                           center_record__isnull=True)
        self.fields["organization"].help_text = _("运营中心工作人员所在的机构（类型为“产业知识产权运营中心”且尚未登记）")
        self.fields["organization"].widget.attrs["data-searchable"] = ""
        self.fields["status"].choices = [(s, CenterStatus(s).label) for s in
                                         (CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED)]
        self.fields["status"].help_text = _("新登记只能是“建设运行中”或“复函支持”；认定须经认定程序")
        if user is not None and getattr(user.organization, "kind", "") == OrganizationKind.OPERATION_CENTER:
            self.initial.setdefault("organization", user.organization_id)

    def _post_clean(self):
        pass


class CenterEditForm(_RegistryFields, forms.ModelForm):
    """Registry fields the center's staff and its offices may edit; level and office only for offices."""

    host_organization = PickerField("organizations", label=_("建设主体"),
                                    help_text=_("输入名称或统一社会信用代码搜索"))

    class Meta:
        model = Center
        fields = ["name", "host_organization", "host_type", "industry", "industry_chain", "region_code",
                  "staff_count", "started_on", "level", "managing_office"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, office: bool = False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not office:
            del self.fields["level"], self.fields["managing_office"]
        self._setup(user)

    def _post_clean(self):
        pass

    def changed_data_dict(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data}


class TransitionForm(forms.Form):
    """A status decision: the new status is the button pressed; reason and document are required."""

    to_status = forms.ChoiceField(label=_("新状态"), choices=CenterStatus.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    document_ref = forms.CharField(label=_("文件名称或文号"), max_length=300,
                                   widget=forms.TextInput(attrs={"placeholder": _("如 苏知发〔2026〕12号")}))
    document = forms.FileField(label=_("文件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # a narrow side card: one field a line
            field.wide = True


class CorrectForm(forms.Form):
    to_status = forms.ChoiceField(label=_("更正后的状态"), choices=[("", _("不变"))] + CenterStatus.choices,
                                  required=False)
    reason = forms.CharField(label=_("更正理由"))
    document_ref = forms.CharField(label=_("文件名称或文号"), max_length=300)
    document = forms.FileField(label=_("文件"), required=False)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("条件"), choices=EvidenceKind.choices)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("证明材料"), required=False)


class ApplicationForm(forms.Form):
    """认定申请书 (the center's own application)."""

    year = forms.IntegerField(label=_("工作成效年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"id": "f_year"}),
                              help_text=_("申报书中工作成效所属的年度，一般为上一年度"))
    summary = forms.CharField(label=_("申报书：建设与运行情况"), required=False,
                              widget=forms.Textarea(attrs={"id": "f_summary", "rows": 5}),
                              help_text=_("工作机构、场地、人员、经费等条件保障情况"))
    achievements = forms.CharField(label=_("申报书：工作成效说明"), required=False,
                                   widget=forms.Textarea(attrs={"id": "f_achievements", "rows": 5}),
                                   help_text=_("工作成效数字以平台记录为准，提交时自动生成基础条件核查"))
    plan = forms.CharField(label=_("申报书：下一步工作计划"), required=False,
                           widget=forms.Textarea(attrs={"id": "f_plan", "rows": 3}))


class ObjectionForm(forms.Form):
    """公示期内的实名异议 (anyone, no login)."""

    submitter_name = forms.CharField(label=_("异议人"), max_length=100,
                                     widget=forms.TextInput(attrs={"id": "o_name", "autocomplete": "name"}),
                                     help_text=_("单位名称或个人姓名（实名）"))
    submitter_contact = forms.CharField(label=_("联系方式"), max_length=100,
                                        widget=forms.TextInput(attrs={"id": "o_contact", "autocomplete": "tel"}),
                                        help_text=_("电话或电子邮箱，仅认定部门可见"))
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"id": "o_content", "rows": 5}),
                              help_text=_("请写明异议的事实和理由，可附证明材料的获取方式"))


class AssignExpertsForm(forms.Form):
    expert = MultiPickerField("experts", label=_("评审专家"), help_text=_("输入姓名或所在单位搜索，可选多位"))
    expert.widget.attrs["data-placeholder"] = _("输入专家姓名或所在单位搜索…")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        set_picker_querysets(self, user)
