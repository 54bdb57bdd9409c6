"""labkit.network's route-table helpers, on a fake EC2 client: a table's routes, the VPC's main table, and the
explicit subnet associations dropped before the harness empties a VPC (LocalStack keeps them otherwise)."""

from __future__ import annotations

from typing import Any

from labkit import network

TABLES = [
    {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Routes": [{"DestinationCidrBlock": "10.0.0.0/16"}],
     "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-main"}]},
    {"RouteTableId": "rtb-public", "VpcId": "vpc-1", "Routes": [{"DestinationCidrBlock": "0.0.0.0/0"}],
     "Associations": [{"Main": False, "RouteTableAssociationId": "rtbassoc-a", "SubnetId": "subnet-a"},
                      {"Main": False, "RouteTableAssociationId": "rtbassoc-gw", "GatewayId": "igw-1"}]},
]  # fmt: skip


class FakeEc2:
    """Answers DescribeRouteTables from TABLES (filters on vpc-id and association.main) and records disassociations."""

    def __init__(self) -> None:
        self.disassociated: list[str] = []
        self.filters: list[Any] = []

    def describe_route_tables(self, RouteTableIds: list[str] | None = None, Filters: Any = None) -> dict[str, Any]:  # noqa: N803
        self.filters.append(Filters)
        tables = [t for t in TABLES if not RouteTableIds or t["RouteTableId"] in RouteTableIds]
        if Filters and any(f["Name"] == "association.main" for f in Filters):
            tables = [t for t in tables if any(a.get("Main") for a in t["Associations"])]
        return {"RouteTables": tables}

    def disassociate_route_table(self, AssociationId: str) -> None:  # noqa: N803
        self.disassociated.append(AssociationId)


def test_routes_lists_one_tables_routes() -> None:
    assert network.routes(FakeEc2(), "rtb-public") == [{"DestinationCidrBlock": "0.0.0.0/0"}]


def test_main_route_table_asks_for_the_vpcs_main_association() -> None:
    ec2 = FakeEc2()

    table = network.main_route_table(ec2, "vpc-1")

    assert table["RouteTableId"] == "rtb-main"
    assert ec2.filters == [[{"Name": "vpc-id", "Values": ["vpc-1"]}, {"Name": "association.main", "Values": ["true"]}]]


def test_disassociate_route_tables_drops_only_explicit_subnet_associations() -> None:
    ec2 = FakeEc2()

    network.disassociate_route_tables(ec2, "vpc-1")

    assert ec2.disassociated == ["rtbassoc-a"]  # not the main association, not the gateway's
