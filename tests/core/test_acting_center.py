"""The operation center a write is made for (以运营中心名义): one rule behind deals, events, projects and
consortia — center staff act for their own center only, an administrator names one, and it must be a center."""

import datetime as dt

import pytest

from ipoc.alliances import services as alliances
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.permissions import acting_center
from ipoc.deals import services as deals
from ipoc.events import services as events
from ipoc.industrialization import services as industrialization

MSG = {"not_own": "只能以本中心名义", "missing": "请指定中心", "not_center": "不是运营中心：%(o)s"}


def test_staff_act_for_their_own_center(users, orgs):
    assert acting_center(users["center_a"], None, **MSG) == orgs["center_a"]
    assert acting_center(users["center_a"], orgs["center_a"], **MSG) == orgs["center_a"]
    with pytest.raises(PermissionDenied) as err:
        acting_center(users["center_a"], orgs["center_b"], field="organizer", **MSG)
    assert (err.value.field, err.value.message) == ("organizer", "只能以本中心名义")


def test_administrator_names_a_center_which_must_be_one(users, orgs):
    assert acting_center(users["admin"], orgs["center_b"], **MSG) == orgs["center_b"]
    assert acting_center(None, orgs["center_b"], **MSG) == orgs["center_b"]
    with pytest.raises(ApplicationError) as err:
        acting_center(users["admin"], None, **MSG)
    assert (err.value.field, err.value.message) == ("center", "请指定中心")
    with pytest.raises(ApplicationError) as err:
        acting_center(None, orgs["ent_a"], **MSG)
    assert err.value.message == "不是运营中心：苏州甲科技有限公司"


@pytest.mark.parametrize("create, field, message", [
    (lambda u, c: deals.deal_create(actor=u, title="石墨烯散热膜许可", deal_type="license", center=c),
     "center", "只能登记本运营中心撮合的交易"),
    (lambda u, c: events.event_create(actor=u, title="路演", held_on=dt.date(2026, 12, 8), organizer=c),
     "organizer", "只能以本运营中心名义举办活动"),
    (lambda u, c: industrialization.project_create(actor=u, title="产业化项目", center=c),
     "center", "只能登记本运营中心的项目"),
])
def test_each_write_refuses_another_centers_name(users, orgs, create, field, message):
    with pytest.raises(PermissionDenied) as err:
        create(users["center_a"], orgs["center_b"])
    assert (err.value.field, err.value.message) == (field, message)


def test_a_consortium_is_organised_by_a_center(users, orgs):
    with pytest.raises(PermissionDenied) as err:
        alliances.consortium_create(actor=users["center_a"], name="联合体", industry="新材料", lead=orgs["univ"],
                                    center=orgs["center_b"])
    assert err.value.message == "只能组建本运营中心的联合体"
    with pytest.raises(ApplicationError) as err:
        alliances.consortium_create(actor=users["admin"], name="联合体", industry="新材料", lead=orgs["univ"],
                                    center=orgs["ent_a"])
    assert (err.value.field, err.value.message) == ("center", "组建单位必须是产业知识产权运营中心")
