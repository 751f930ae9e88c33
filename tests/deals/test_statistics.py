"""Statistics per center and year reconcile exactly with hand-built records, each figure naming its records."""

import datetime as dt
import json
import re
import types
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ipoc.core.errors import PermissionDenied
from ipoc.deals import kpi, selectors
from ipoc.demands import services as demand_services
from ipoc.demands.models import Demand, DemandStatusChange

YEAR = timezone.localdate().year


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10, 0))


@pytest.fixture
def records(users, orgs, more_orgs, make_deal):
    """Around center 甲 in YEAR: what must count, and what must not (terminated, other center, other year)."""
    a, b = users["center_a"], users["center_b"]
    o, m = orgs, more_orgs

    def demand(title, owner, center, to=()):
        d = demand_services.demand_create(actor=None, title=title, organization=owner, center=center,
                                          status="published")
        for status in to:
            d = demand_services.demand_transition(actor=None, demand=d, to_status=status)
        return d

    dem = {
        "solved": demand("纳米涂层耐磨", o["ent_a"], o["center_a"], ("matching", "solved")),
        "matching": demand("传感器封装", m["sme_e"], o["center_a"], ("matching",)),
        "published": demand("仅发布", m["big"], o["center_a"]),
        "back_to_published": demand("对接后退回", o["univ"], o["center_a"], ("matching", "published")),
        "other_center": demand("乙中心的需求", o["ent_b"], o["center_b"], ("matching", "solved")),
        "last_year": demand("去年解决", m["sme_d"], o["center_a"], ("matching", "solved")),
    }
    DemandStatusChange.objects.filter(demand=dem["last_year"]).update(at=_aware(dt.date(YEAR - 1, 6, 1)))

    signed1, signed2, signed3 = dt.date(YEAR, 3, 10), dt.date(YEAR, 6, 15), dt.date(YEAR, 7, 1)
    # demand → deal lags: 30 and 11 days → median 20.5
    Demand.objects.filter(pk=dem["solved"].pk).update(published_at=_aware(signed1 - dt.timedelta(days=30)))
    Demand.objects.filter(pk=dem["matching"].pk).update(published_at=_aware(signed2 - dt.timedelta(days=11)))
    deals = {
        "completed": make_deal(a, "completed", title="完成的许可", signed=signed1, amount="1000000.00",
                               sellers=[o["univ"]], buyers=[o["ent_a"]], demand=dem["solved"]),
        "performing": make_deal(a, "performing", title="履行中的转让", signed=signed2, amount="250000.50",
                                sellers=[m["big"]], buyers=[m["sme_e"]], demand=dem["matching"],
                                deal_type="assignment", chain_scope="between_chains"),
        "signed_zero": make_deal(a, "signed", title="零元作价入股", signed=signed3, amount="0",
                                 sellers=[o["univ"]], buyers=[m["big"]], deal_type="equity"),
        "negotiating": make_deal(a, "negotiation", title="洽谈中", intention_date=dt.date(YEAR, 2, 1),
                                 sellers=[o["univ"]], buyers=[o["ent_b"]]),
        "terminated": make_deal(a, terminate_after="signed", title="签约后终止", signed=dt.date(YEAR, 5, 1),
                                amount="9999999", sellers=[o["univ"]], buyers=[m["sme_c"]]),
        "other_center": make_deal(b, "completed", title="乙中心交易", signed=dt.date(YEAR, 4, 1), amount="777",
                                  sellers=[o["univ"]], buyers=[m["sme_d"]]),
        "last_year": make_deal(a, "completed", title="去年签约", signed=dt.date(YEAR - 1, 11, 1), amount="500",
                               sellers=[o["univ"]], buyers=[m["sme_d"]]),
    }
    return {"demands": dem, "deals": deals}


def test_figures_reconcile_exactly(users, orgs, more_orgs, records):
    d, dem = records["deals"], records["demands"]
    figs = selectors.deal_statistics(user=users["center_a"], center=orgs["center_a"], year=YEAR)
    counted = sorted([d["completed"].pk, d["performing"].pk, d["signed_zero"].pk])

    amount = figs["conversion_amount"]
    assert amount["value"] == Decimal("1250000.50") and amount["unit"] == "元"
    assert amount["record_ids"] == counted and amount["record_model"] == "deals.deal"
    assert "签约/履行/完成" in amount["definition"] and "终止" in amount["definition"]

    projects = figs["conversion_projects"]
    assert projects["value"] == 3 and projects["record_ids"] == counted

    assert figs["demands_matched"]["value"] == 2
    assert figs["demands_matched"]["record_ids"] == sorted([dem["solved"].pk, dem["matching"].pk])
    assert figs["demands_solved"]["value"] == 1 and figs["demands_solved"]["record_ids"] == [dem["solved"].pk]

    smes = figs["smes_served"]
    # ent_a (buyer, and owner of a solved demand), ent_b (party to a deal in negotiation this year),
    # sme_e (buyer + owner of a matching demand). Not: sme_c (only a terminated deal), sme_d (another center's
    # deal, last year's deal and demand), big (not an SME), univ (not an enterprise).
    assert smes["value"] == 3 and smes["unit"] == "家" and smes["record_model"] == "core.organization"
    assert smes["record_ids"] == sorted([orgs["ent_a"].pk, orgs["ent_b"].pk, more_orgs["sme_e"].pk])

    median = figs["median_days_demand_to_deal"]
    assert median["value"] == 20.5 and median["unit"] == "天"
    assert median["record_ids"] == sorted([d["completed"].pk, d["performing"].pk])

    for code, f in figs.items():
        assert f["url"] == f"/deals/statistics/records/?center={orgs['center_a'].pk}&year={YEAR}&figure={code}"
        assert set(f) >= {"value", "unit", "record_ids", "definition"}


def test_other_years_and_centers(users, orgs, more_orgs, records):
    d = records["deals"]
    last = selectors.deal_statistics(user=None, center=orgs["center_a"], year=YEAR - 1)
    assert last["conversion_amount"]["value"] == Decimal("500.00")
    assert last["conversion_projects"]["record_ids"] == [d["last_year"].pk]
    assert last["demands_solved"]["record_ids"] == [records["demands"]["last_year"].pk]
    assert last["median_days_demand_to_deal"]["value"] is None
    assert last["smes_served"]["record_ids"] == [more_orgs["sme_d"].pk]
    other = selectors.deal_statistics(user=users["center_b"], center=orgs["center_b"], year=YEAR)
    assert other["conversion_amount"]["value"] == Decimal("777.00")
    assert other["conversion_projects"]["record_ids"] == [d["other_center"].pk]
    assert other["demands_solved"]["record_ids"] == [records["demands"]["other_center"].pk]
    empty = selectors.deal_statistics(user=None, center=orgs["center_a"], year=YEAR + 1)
    assert empty["conversion_amount"]["value"] == Decimal("0") and empty["conversion_projects"]["value"] == 0


def test_a_deal_drops_out_when_terminated(users, orgs, records):
    from ipoc.deals import services

    services.deal_transition(actor=users["center_a"], deal=records["deals"]["signed_zero"], to_stage="terminated",
                             reason="作价入股取消")
    figs = selectors.deal_statistics(user=None, center=orgs["center_a"], year=YEAR)
    assert figs["conversion_projects"]["value"] == 2


def test_who_may_see_a_centers_figures(users, orgs, records):
    for who in ("admin", "center_a", "js_office", "cnipa"):
        selectors.deal_statistics(user=users[who], center=orgs["center_a"], year=YEAR)
    for who in ("center_b", "ent_a", "univ", "expert"):
        with pytest.raises(PermissionDenied):
            selectors.deal_statistics(user=users[who], center=orgs["center_a"], year=YEAR)
    with pytest.raises(PermissionDenied):  # 江苏省局 does not cover 杭州
        selectors.deal_statistics(user=users["js_office"], center=orgs["center_b"], year=YEAR)


def test_statistics_api(api_client, users, orgs, records):
    body = api_client.as_user(users["center_a"]).get("/deals/statistics", center=orgs["center_a"].pk,
                                                     year=YEAR).json()
    figs = body["figures"]
    assert body["year"] == YEAR and body["center"]["id"] == orgs["center_a"].pk
    assert Decimal(figs["conversion_amount"]["value"]) == Decimal("1250000.50")
    assert figs["conversion_projects"]["value"] == 3 and figs["median_days_demand_to_deal"]["value"] == 20.5
    assert figs["smes_served"]["record_ids"] == selectors.deal_statistics(
        user=None, center=orgs["center_a"], year=YEAR)["smes_served"]["record_ids"]
    r = api_client.as_user(users["center_b"]).get("/deals/statistics", center=orgs["center_a"].pk, year=YEAR)
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert api_client.as_user(users["ent_a"]).get("/deals/statistics", center=orgs["center_a"].pk).status_code == 403
    r = api_client.as_user(users["admin"]).get("/deals/statistics", center=orgs["ent_a"].pk)
    assert r.status_code == 404 and r.json()["error"]["field"] == "center"


def test_statistics_page_and_drill_down(client, users, orgs, records):
    client.force_login(users["center_a"])
    html = client.get(f"/deals/statistics/?year={YEAR}").content.decode()
    assert "转化运营金额" in html and "1,250,000.50" in html and "20.5" in html
    figs = selectors.deal_statistics(user=None, center=orgs["center_a"], year=YEAR)
    for code, f in figs.items():
        assert f["url"].replace("&", "&amp;") in html
        page = client.get(f["url"])
        assert page.status_code == 200
        body = page.content.decode()
        assert body.count("<tr data-id=") == len(f["record_ids"]), code
        for pk in f["record_ids"]:
            assert f'data-id="{pk}"' in body
    # the deal list filtered like the figure shows the same deals
    ids = set(selectors.deal_list(user=users["center_a"], center=orgs["center_a"].pk, signed_year=YEAR,
                                  counted=True).values_list("pk", flat=True))
    assert ids == set(figs["conversion_projects"]["record_ids"])
    client.force_login(users["center_b"])
    assert client.get(figs["conversion_amount"]["url"]).status_code == 403
    assert client.get(f"/deals/statistics/?center={orgs['center_a'].pk}").status_code == 403


def test_cli_stats_json(capsys, orgs, records):
    call_command("deals", "stats", "--center", orgs["center_a"].name, "--year", str(YEAR), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["conversion_amount"]["value"] == "1250000.50"
    assert data["figures"]["conversion_projects"]["record_ids"] == sorted(
        r.pk for r in (records["deals"]["completed"], records["deals"]["performing"], records["deals"]["signed_zero"]))
    call_command("deals", "stats", "--center", orgs["center_a"].name, "--year", str(YEAR))
    text = capsys.readouterr().out
    assert "转化运营金额：1250000.50 元" in text and "转化项目数：3 个" in text
    with pytest.raises(CommandError, match="运营中心不存在"):
        call_command("deals", "stats", "--center", "不存在的中心", "--year", str(YEAR))


def test_kpi_providers_for_the_centers_app(orgs, records):
    center = types.SimpleNamespace(organization_id=orgs["center_a"].pk)
    amount = kpi.annual_deal_amount(center, YEAR)
    assert amount.value == Decimal("125.00005") and amount.unit == "万元"  # exact, never rounded up
    assert sorted(i for _m, i in amount.record_refs) == selectors.deal_statistics(
        user=None, center=orgs["center_a"], year=YEAR)["conversion_amount"]["record_ids"]
    cumulative = kpi.cumulative_projects(center, YEAR)
    assert cumulative.value == 4  # three this year + one last year; the terminated one never counts
    from django.apps import apps

    if apps.is_installed("ipoc.centers"):
        from ipoc.centers import kpi as centers_kpi

        assert centers_kpi.kpi_figure(centers_kpi.ANNUAL_DEAL_AMOUNT, center, YEAR).value == Decimal("125.00005")
        assert centers_kpi.kpi_figure(centers_kpi.CUMULATIVE_PROJECTS, center, YEAR).value == 4


def test_home_card_for_center_staff(client, users, records):
    client.force_login(users["center_a"])
    html = client.get("/").content.decode()
    # in 万元, as the deal list and the statistics show amounts (1,250,000.50 元 = 125 万元)
    assert f"{YEAR} 年转化运营金额（万元）" in html and "/deals/statistics/" in html
    assert "1,250,000.50" not in html and re.search(r">\s*125\s*<", html)
    client.force_login(users["ent_a"])
    assert "年转化运营金额" not in client.get("/").content.decode()


def test_kpi_amount_is_not_rounded_up_to_a_threshold(users, orgs, make_deal):
    make_deal(users["center_a"], "signed", title="差一分五百万", signed=dt.date(YEAR, 2, 1), amount="4999999.99",
              sellers=[orgs["univ"]], buyers=[orgs["ent_a"]])
    value = kpi.annual_deal_amount(types.SimpleNamespace(organization_id=orgs["center_a"].pk), YEAR).value
    assert value < 500 and value == Decimal("499.999999")


def _chart(html: str, chart_id: str) -> dict:
    start = html.index(f'<script id="{chart_id}" type="application/json">') + len(
        f'<script id="{chart_id}" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_statistics_charts_open_their_records(client, users, orgs, records):
    """Each bar of the statistics charts names its unit and links to exactly the deals behind it."""
    client.force_login(users["center_a"])
    html = client.get(f"/deals/statistics/?year={YEAR}").content.decode()
    months = _chart(html, "chart-months")
    assert months["title"]["text"].endswith("（万元）") and len(months["xAxis"]["data"]) == 12
    assert months["series"][0]["data"][2] == 100.0 and months["series"][0]["data"][0] is None  # March; empty January
    assert set(months["ipocLinks"]) == {"3月", "6月", "7月"}  # every month with deals, a 0-元 one (July) included
    march = client.get(months["ipocLinks"]["3月"]).content.decode()
    assert "完成的许可" in march and "履行中的转让" not in march
    types_ = _chart(html, "chart-types")
    assert types_["title"]["text"].endswith("（个）")
    by_type = dict(zip(types_["yAxis"]["data"], types_["series"][0]["data"], strict=True))
    assert by_type == {"转让": 1, "许可": 1, "作价入股": 1}
    equity = client.get(types_["ipocLinks"]["作价入股"]).content.decode()
    assert "零元作价入股" in equity and "完成的许可" not in equity and "洽谈中" not in equity


def test_office_compares_centers(client, users, orgs, records):
    client.force_login(users["cnipa"])
    html = client.get(f"/deals/statistics/?year={YEAR}").content.decode()
    chart = _chart(html, "chart-centers")
    assert chart["yAxis"]["data"][0] == orgs["center_a"].name and chart["series"][0]["data"][0] == 125.0
    assert f"?center={orgs['center_a'].pk}&year={YEAR}" in chart["ipocLinks"][orgs["center_a"].name]
    assert 'data-testid="overview"' in html and orgs["center_b"].name in html
    assert client.get(chart["ipocLinks"][orgs["center_a"].name]).status_code == 200
    client.force_login(users["js_office"])  # a provincial office compares the centers of its province only
    html = client.get(f"/deals/statistics/?year={YEAR}").content.decode()
    assert orgs["center_a"].name in html and orgs["center_b"].name not in html


def test_home_queue_shows_open_deal_amounts_in_wan_yuan(client, users, make_deal):
    make_deal(users["center_a"], "negotiation", title="洽谈中的许可", amount=3_000_000)
    client.force_login(users["center_a"])
    html = client.get("/").content.decode()
    assert "洽谈中的许可" in html and "300 万元" in html and "3,000,000" not in html
