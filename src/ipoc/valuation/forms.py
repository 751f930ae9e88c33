"""Input of the valuation pages; the rules (who may, what a valid tree is) live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.valuation.engine.scoring import GRADE_LABELS, RECOMMENDATIONS


class RunStartForm(forms.Form):
    scenario = forms.ChoiceField(label=_("评估场景"),
                                 help_text=_("不同场景下三类价值的权重不同（GB/T 42748-2023）。"))
    as_of = forms.DateField(label=_("评估基准日"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("留空为今天"))

    def __init__(self, *args, scenarios: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = list(scenarios.items())


class ValuationFilterForm(forms.Form):
    """Filters of a run's results."""

    grade = forms.ChoiceField(label=_("评级"), required=False,
                              choices=[("", _("全部评级")), *((g, f"{g}（{label}）") for g, label in GRADE_LABELS.items()),
                                       ("-", _("未评级（数据不足）"))])
    recommendation = forms.ChoiceField(label=_("分层建议"), required=False,
                                       choices=[("", _("全部")), *RECOMMENDATIONS.items()])


class TreeForm(forms.Form):
    """The whole indicator tree as JSON (administrators adding or removing indicators)."""

    tree = forms.CharField(label=_("指标体系（JSON）"),
                           widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "font-monospace"}))
    note = forms.CharField(label=_("修改说明"), max_length=300, required=False)
    rescore = forms.BooleanField(label=_("保存后按新指标体系重新评估全部专利"), required=False)


class TreeWeightsForm(forms.Form):
    """Every node's weight in every scenario and its 待核实 mark: the usual edit of the tree, as a grid.

    Fields are ``w__<node>__<scenario>`` (a weight ≥ 0, relative among siblings) and ``p__<node>``."""

    note = forms.CharField(label=_("修改说明"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：金融场景提高法律价值权重")}))
    rescore = forms.BooleanField(label=_("保存后按新指标体系重新评估全部专利"), required=False)

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.grid = []  # [(node, depth, [(scenario, bound field)], pending bound field)]
        for nid in tree.order:
            node = tree.nodes[nid]
            for s in tree.scenarios:
                self.fields[f"w__{nid}__{s}"] = forms.FloatField(
                    label=f"{node.name_zh} · {tree.scenarios[s]}", min_value=0, initial=round(node.weights[s], 4),
                    widget=forms.NumberInput(attrs={"step": "any", "class": "form-control-sm text-end"}))
            self.fields[f"p__{nid}"] = forms.BooleanField(label=_("待核实"), required=False,
                                                          initial=node.pending_check)
        for nid in tree.order:
            self.grid.append((tree.nodes[nid], len(tree.path(nid)) - 1,
                              [(s, self[f"w__{nid}__{s}"]) for s in tree.scenarios], self[f"p__{nid}"]))

    def clean(self):
        data = super().clean()
        tree = self.tree
        groups = [(None, tree.roots)] + [(nid, list(tree.nodes[nid].children)) for nid in tree.order
                                         if tree.nodes[nid].children]
        for parent, siblings in groups:
            for s, label in tree.scenarios.items():
                values = [data.get(f"w__{c}__{s}") for c in siblings]
                if all(v is not None for v in values) and sum(values) <= 0:
                    where = tree.nodes[parent].name_zh if parent else _("一级指标")
                    self.add_error(f"w__{siblings[0]}__{s}", _("“%(where)s”下的指标在“%(s)s”场景的权重不能全为 0")
                                   % {"where": where, "s": label})
        return data

    def tree_dict(self) -> dict:
        """The edited tree: the current one with the weights and marks of the form."""
        data = self.tree.to_dict()
        for node in data["nodes"]:
            nid = node["id"]
            before = self.tree.nodes[nid].weights
            # a weight shown rounded (1/3 as 0.3333) and left as it was keeps its exact value
            node["weights"] = {s: before[s] if round(before[s], 4) == (v := float(self.cleaned_data[f"w__{nid}__{s}"]))
                               else v for s in self.tree.scenarios}
            node["pending_check"] = bool(self.cleaned_data[f"p__{nid}"])
        return data
