"""Probe finding on date fields (valid input refused): a browser's date input takes only ISO dates
(``2027-01-02``), but widgets without an explicit format were rendered in the locale's first input format
(``2027/01/02`` in Chinese). The browser drops such a value, so editing an event showed an empty 活动日期 and
the saved form was refused as incomplete (the deal dates, the search and patent list date filters, the
valuation and stock dates the same). Every ``type="date"`` input is now rendered as ISO."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.utils import translation

pytestmark = pytest.mark.django_db


class _DateForm(forms.Form):
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False)
    plain = forms.DateField(required=False)  # a text input keeps the locale's format


def test_date_inputs_are_rendered_as_iso_dates_in_chinese():
    with translation.override("zh-hans"):
        html = str(_DateForm(initial={"on": dt.date(2027, 1, 2), "at": dt.datetime(2027, 1, 2, 9, 30),
                                      "plain": dt.date(2027, 1, 2)}))
    assert re.search(r'type="date" name="on" value="2027-01-02"', html)
    assert re.search(r'type="datetime-local" name="at" value="2027-01-02T09:30"', html)
    assert re.search(r'name="plain" value="2027/01/02"', html)


def test_the_event_edit_page_shows_its_date(client, users, orgs):
    from ipoc.events import services

    event = services.event_create(actor=users["center_a"], title="路演", held_on=dt.date(2027, 1, 2),
                                   place="苏州")
    client.force_login(users["center_a"])
    html = client.get(f"/events/{event.pk}/edit/").content.decode()
    assert re.search(r'type="date" name="held_on" value="2027-01-02"', html)
