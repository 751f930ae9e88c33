"""``ipoc demo`` step: the real enterprise demands (2018–2020), collected by the demo center."""

from pathlib import Path


def demo_demands(data_dir: Path) -> dict:
    from ipoc.core.models import Organization, OrganizationKind
    from ipoc.demands.services import demand_import

    path = data_dir / "cn" / "demands.csv"
    if not path.exists():
        return {"demands.csv": "missing"}
    center = Organization.objects.filter(kind=OrganizationKind.OPERATION_CENTER, source="demo").first()
    return demand_import(actor=None, path=path, center=center)["counts"]
