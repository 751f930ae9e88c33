"""Access-matrix cases (tests/core/test_access_matrix.py) for the analytics app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

A 专利集合 belongs to the organisation of the staff who made it (center 甲's here); another center, an office of
another province (浙江: 江苏's office may view center 甲's sets, but not change them) and an expert are refused."""

from __future__ import annotations

from tests.core.test_access_matrix import CENTER_OUTSIDERS, Call, case

OWN_SET = ("a new set belongs to the caller's own organisation (request.auth.organization) and names no other "
           "party's record; offices of every province may build sets for their own analyses")


def _patent_set(w):
    """A hand-picked set of center 甲, made by its staff (so it is center 甲's)."""
    from ipoc.analytics import services

    return services.patent_set_create(actor=w.u["center_a"], name="矩阵测试集合", kind="manual",
                                      definition={"patent_ids": [p.pk for p in w.patents.values()]})


@case("POST", "/analytics/sets")
def _(w):
    body = {"name": "无人机巡检专利", "kind": "manual", "patent_ids": [w.patents["ent_a"].pk]}
    return Call("/analytics/sets", "center_a", body, other_org="ent_b", not_applicable={"other_office": OWN_SET})


@case("POST", "/analytics/sets/{pk}/evaluate")
def _(w):
    return Call(f"/analytics/sets/{_patent_set(w).pk}/evaluate", "center_a", **CENTER_OUTSIDERS)


@case("POST", "/analytics/sets/{pk}/terms")
def _(w):
    return Call(f"/analytics/sets/{_patent_set(w).pk}/terms", "center_a",
                {"axis": "technology", "label": "热成像", "words": ["热成像", "云台"]}, owner_status=(201,),
                **CENTER_OUTSIDERS)


@case("POST", "/analytics/sets/{pk}/terms/propose")
def _(w):
    return Call(f"/analytics/sets/{_patent_set(w).pk}/terms/propose", "center_a", **CENTER_OUTSIDERS)


@case("PUT", "/analytics/sets/{pk}/terms/{term_id}")
def _(w):
    from ipoc.analytics import services

    patent_set = _patent_set(w)
    term = services.matrix_term_save(actor=None, patent_set=patent_set, axis="effect", label="提高精度",
                                     reviewed=False)
    return Call(f"/analytics/sets/{patent_set.pk}/terms/{term.pk}", "center_a",
                {"axis": "effect", "label": "提高检测精度", "words": ["精度"], "reviewed": True},
                **CENTER_OUTSIDERS)
