"""One code per transaction mode: 转让、许可、作价入股 … mean the same stored value in every app that records them."""

from ipoc.deals.models import DealType
from ipoc.demands.models import DealMode as DemandDealMode
from ipoc.revitalization.models import DealMode as StockDealMode
from ipoc.revitalization.models import Intention


def test_shared_labels_have_one_code():
    seen: dict[str, tuple[str, str]] = {}
    for vocabulary in (DealType, DemandDealMode, StockDealMode, Intention):
        for code, label in vocabulary.choices:
            first = seen.setdefault(str(label), (code, vocabulary.__qualname__))
            assert first[0] == code, f"{label}: {first[1]} stores {first[0]!r}, {vocabulary.__qualname__} {code!r}"
    assert seen["转让"][0] == "assignment"
