"""A real demand from demands.csv is matched against the imported real CN corpus, with explanations."""

from pathlib import Path

import pytest
from django.conf import settings

from ipoc.demands import services as demand_services
from ipoc.demands.models import Demand
from ipoc.matching import services
from ipoc.patents import services as patent_services
from ipoc.search import testing

search_index = testing.search_index
CN = Path(settings.IPOC_SAMPLE_DATA) / "cn"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CN / "demands.csv").exists(), reason="shared sample data not present")]


def test_real_demand_gets_explained_patents_from_the_real_corpus(search_index, orgs, users):
    patent_services.patent_import(actor=None, path=CN / "patents_bdci.jsonl", format="jsonl")
    patent_services.patent_import(actor=None, path=CN / "incopat_style_sample.csv", format="incopat")
    demand_services.demand_import(actor=None, path=CN / "demands.csv", center=orgs["center_a"])
    demand = Demand.objects.get(title="高性能铝合金材料开发", duplicate_of=None)
    matches = services.demand_match(actor=users["center_a"], demand=demand)
    assert matches, "no patent matched a real demand"
    top = matches[0]
    assert top.explanation["matched_terms"] and "<mark>" in "".join(top.explanation["snippets"].values())
    assert any(term in top.patent.title + top.patent.abstract for term in top.explanation["matched_terms"])
    assert all(m.patent.legal_status != "lapsed" for m in matches)
