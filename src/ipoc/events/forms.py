"""Input of the 路演推介 / 对接会 pages; the rules live in ``services``. Patents, demands and organisations are
picked by search (no typed ids)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import MultiPickerField, PickerField
from ipoc.events.models import Event


class EventForm(forms.ModelForm):
    organizer = PickerField("operation_centers", label=_("主办运营中心"), required=False,
                            help_text=_("平台管理员新建时选择；运营中心工作人员新建的活动由本中心主办"))
    patents = MultiPickerField("patents", label=_("推介专利"), required=False,
                               help_text=_("输入专利号或名称搜索，可多选"))
    demands = MultiPickerField("demands", label=_("对接需求"), required=False,
                               help_text=_("输入需求名称或需求方搜索，可多选"))

    class Meta:
        model = Event
        fields = ["kind", "title", "organizer", "held_on", "place", "online_url", "patents", "demands",
                  "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}),
                   "held_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"place": _("举办地点与线上地址至少填写一项")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].wide = True
        self.fields["patents"].wide = True
        self.fields["demands"].wide = True

    def _post_clean(self):
        """The service validates and saves (the form only parses input)."""


class OutcomeForm(forms.Form):
    party_a = PickerField("organizations", label=_("供给方"))
    party_b = PickerField("organizations", label=_("需求方"))
    patents = MultiPickerField("patents", label=_("涉及专利"), required=False)
    note = forms.CharField(label=_("意向说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_outcome_%s")
        super().__init__(*args, **kwargs)
        self.fields["patents"].wide = True


class RegistrationForm(forms.Form):
    """The organiser registers an organisation (e.g. one that came without registering)."""

    organization = PickerField("organizations", label=_("报名单位"))
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_registration_%s")
        super().__init__(*args, **kwargs)
