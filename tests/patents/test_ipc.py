"""IPC/CPC normalisation (国际专利分类号)."""

from __future__ import annotations

import pytest

from ipoc.patents.ipc import (
    IPCError,
    ipc_main_group,
    ipc_subclass,
    is_valid_ipc,
    normalize_ipc,
    normalize_ipc_list,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("H04N 5/225", "H04N5/225"),
        ("H04N0005225000", "H04N5/225"),
        ("H04N5/225(2006.01)", "H04N5/225"),
        ("H04N 5/225 (2006.01)", "H04N5/225"),
        ("h04n5/225", "H04N5/225"),
        ("Ｈ０４Ｎ５／２２５", "H04N5/225"),
        ("G01N 33/00", "G01N33/00"),
        ("G01N0033000000", "G01N33/00"),
        ("H04N0005100000", "H04N5/10"),
        ("H01F  27/14        20060101AFI20171122BHEP", "H01F27/14"),
        ("Y02E 10/50", "Y02E10/50"),
        ("G06F18/2321", "G06F18/2321"),
        ("H04N5", "H04N5/00"),
        ("H04N", "H04N"),
    ],
)
def test_normalize(raw: str, canonical: str) -> None:
    assert normalize_ipc(raw) == canonical


@pytest.mark.parametrize("raw", ["", "Z99Z 1/00", "H4N 5/225", "5/225", "H04N5/ABC", "hello"])
def test_invalid(raw: str) -> None:
    assert not is_valid_ipc(raw)
    with pytest.raises(IPCError):
        normalize_ipc(raw)


def test_subclass_and_main_group() -> None:
    assert ipc_subclass("H04N 5/225") == "H04N"
    assert ipc_subclass("H04N0005225000") == "H04N"
    assert ipc_main_group("H04N5/225(2006.01)") == "H04N5/00"


def test_list_cell() -> None:
    symbols, bad = normalize_ipc_list("H04N5/225;H04N5/232；H04N 5/225;bogus|G06F 17/30")
    assert symbols == ["H04N5/225", "H04N5/232", "G06F17/30"]
    assert bad == ["bogus"]
    assert normalize_ipc_list(None) == ([], [])
