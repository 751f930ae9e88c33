"""Sets: each kind evaluates to the patents its definition selects; every set is re-evaluated after an import;
who may make and see them."""

from __future__ import annotations

import pytest

from ipoc.analytics import selectors, services
from ipoc.analytics.models import PatentSet, SetKind
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.patents.models import Patent


def _ids(patent_set) -> set[int]:
    return set(patent_set.members.values_list("patent_id", flat=True))


def test_a_saved_search_is_re_evaluated_after_an_import(corpus, users, import_extra):
    s = services.patent_set_create(actor=users["center_a"], name="通信", kind=SetKind.SEARCH,
                                   definition={"q": "", "filters": {"ipc": "H04"}})
    h04 = {p.pk for p in Patent.objects.filter(classifications__code__startswith="H04").distinct()}
    assert _ids(s) == h04 and s.size == 2 and s.evaluated_at is not None
    first = s.evaluated_at
    import_extra()  # one more H04 patent
    s.refresh_from_db()
    assert s.size == 3 and s.evaluated_at > first
    assert _ids(s) == {p.pk for p in Patent.objects.filter(classifications__code__startswith="H04").distinct()}


def test_a_saved_search_with_a_query_uses_the_search_engine(corpus, users):
    s = services.patent_set_create(actor=users["center_a"], name="电池", kind=SetKind.SEARCH,
                                   definition={"q": "电池", "filters": {}})
    titles = set(Patent.objects.filter(pk__in=_ids(s)).values_list("title", flat=True))
    assert {"一种锂电池正极材料", "锂电池电解液", "太阳能电池组件"} <= titles
    assert "基站天线阵列" not in titles


def test_a_chain_node_set_follows_the_node_rule(corpus, users, chain_node, import_extra):
    s = services.patent_set_create(actor=users["center_a"], name="通信设备", kind=SetKind.CHAIN_NODE,
                                   definition={"node_id": chain_node.pk})
    expected = {p.pk for p in Patent.objects.all() if "基站" in p.title + p.abstract
                or p.classifications.filter(code__startswith="H04").exists()}
    assert _ids(s) == expected and s.organization_id == chain_node.center_id
    import_extra()
    s.refresh_from_db()
    assert s.size == len(expected) + 1
    land = selectors.landscape(s, user=users["center_a"])
    rows = land["analyses"]["chain"]["rows"]
    assert rows[0]["node"]["name"] == "通信设备" and rows[0]["patents"] == s.size
    qs, _w = selectors.drill(s, "chain", str(chain_node.pk))
    assert set(qs.values_list("pk", flat=True)) == _ids(s)


def test_manual_and_batch_sets(corpus, users, import_extra):
    picked = list(Patent.objects.order_by("pk").values_list("pk", flat=True)[:2])
    s = services.patent_set_create(actor=users["center_a"], name="自选", kind=SetKind.MANUAL,
                                   definition={"patent_ids": picked})
    assert _ids(s) == set(picked)
    extra = import_extra()
    b = services.patent_set_create(actor=users["admin"], name="批次", kind=SetKind.IMPORT_BATCH,
                                   definition={"batch_id": extra.pk})
    assert b.size == 1
    s.refresh_from_db()
    assert s.size == 2  # a hand-picked list keeps its patents through an import
    with pytest.raises(ApplicationError) as exc:
        services.patent_set_create(actor=users["center_a"], name="坏", kind=SetKind.MANUAL,
                                   definition={"patent_ids": [999999]})
    assert exc.value.field == "patent_ids"


def test_who_may_make_and_see_sets(corpus, users):
    with pytest.raises(PermissionDenied):
        services.patent_set_create(actor=users["ent_a"], name="x", kind=SetKind.SEARCH,
                                   definition={"filters": {"ipc": "H"}})
    with pytest.raises(ApplicationError) as exc:
        services.patent_set_create(actor=users["center_a"], name="x", kind=SetKind.SEARCH, definition={"q": ""})
    assert exc.value.field == "q"
    with pytest.raises(ApplicationError) as exc:
        services.patent_set_create(actor=users["center_a"], name="x", kind=SetKind.SEARCH,
                                   definition={"filters": {"password": "1"}})
    assert exc.value.field == "filters"
    s = services.patent_set_create(actor=users["center_a"], name="甲", kind=SetKind.SEARCH,
                                   definition={"filters": {"ipc": "H"}})
    assert selectors.patent_set_list(user=users["center_a"]).filter(pk=s.pk).exists()
    assert not selectors.patent_set_list(user=users["center_b"]).filter(pk=s.pk).exists()
    with pytest.raises(NotFound):
        selectors.patent_set_get(user=users["center_b"], pk=s.pk)
    with pytest.raises(PermissionDenied):
        services.patent_set_evaluate(actor=users["center_b"], patent_set=s)
    assert selectors.patent_set_list(user=users["js_office"]).filter(pk=s.pk).exists()  # 江苏 office, 苏州 center
    assert PatentSet.objects.count() == 1
