"""One way to render every form: Bootstrap (Tabler) markup, each field's label, help and errors next to it.

Django 5.2's ``bound_field_class`` lets the renderer give every widget the theme's classes, so a plain
``{{ form }}`` in any template is a styled form with inline errors, and the views stay unaware of CSS.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import DateTimeBaseInput

WIDE_WIDGETS = (forms.Textarea, forms.CheckboxSelectMultiple, forms.RadioSelect, forms.SelectMultiple)


def widget_css(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.HiddenInput)):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


# A browser's date and datetime inputs take only ISO values (RFC 3339); a value in the locale's format
# (2027/01/02 in Chinese) is dropped, so an edit form showed its date empty and was refused on saving.
HTML_INPUT_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M"}


class IpocBoundField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        html_format = HTML_INPUT_FORMATS.get(widget.attrs.get("type", getattr(widget, "input_type", "")))
        if html_format and isinstance(widget, DateTimeBaseInput):
            widget.format = html_format
        attrs = dict(attrs or {})
        classes = [widget.attrs.get("class", ""), attrs.get("class", ""), widget_css(widget)]
        if self.errors and not isinstance(widget, forms.HiddenInput):
            classes.append("is-invalid")
        joined = " ".join(c for c in classes if c).strip()
        if joined:
            attrs["class"] = joined
        return super().as_widget(widget=widget, attrs=attrs, only_initial=only_initial)

    @property
    def is_wide(self) -> bool:
        return isinstance(self.field.widget, WIDE_WIDGETS) or bool(getattr(self.field, "wide", False))


class IpocFormRenderer(TemplatesSetting):
    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"
    bound_field_class = IpocBoundField
