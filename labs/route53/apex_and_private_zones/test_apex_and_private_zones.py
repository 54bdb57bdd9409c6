"""A CNAME may not sit at the zone apex (example.com itself), because the apex already holds the zone's NS and
SOA records; an alias A record may, and Route 53 answers it with the target's addresses. A private hosted
zone is associated with VPCs, answers only inside them, and so gets no public name servers."""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.eventually import NETWORK_CHANGE, waiter_config
from labkit.network import create_vpc

ALIAS_DOCS = (
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html"
)
CHANGE_API = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/route53/test_route53.snapshot.json"


@pytest.fixture
def route53(aws_client):
    return aws_client("route53")


@pytest.fixture
def zone(route53, unique_name):
    """A public hosted zone for <unique>.example.com: (id, name with the trailing dot)."""
    name = f"{unique_name('apex')}.example.com"
    created = route53.create_hosted_zone(Name=name, CallerReference=unique_name("ref"))["HostedZone"]
    return created["Id"], created["Name"]


def change(route53, backend, zone_id, action, record):
    answer = route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]}
    )
    route53.get_waiter("resource_record_sets_changed").wait(
        Id=answer["ChangeInfo"]["Id"], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )


def records_named(route53, zone_id, name):
    return [
        r for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Name"] == name
    ]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "stores a CNAME at the zone apex; AWS refuses the change with InvalidChangeBatch",
    evidence=f"{ALIAS_DOCS} ; {CHANGE_API}",
)
def test_a_cname_at_the_zone_apex_is_refused(route53, zone, backend):
    zone_id, apex = zone
    cname = {"Name": apex, "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "site.example.org"}]}

    assert error_code(change, route53, backend, zone_id, "CREATE", cname) == "InvalidChangeBatch"
    assert [r["Type"] for r in records_named(route53, zone_id, apex)] == ["NS", "SOA"]


def test_an_alias_a_record_at_the_zone_apex_is_accepted(route53, zone, backend):
    zone_id, apex = zone
    change(route53, backend, zone_id, "CREATE", {"Name": f"www.{apex}", "Type": "A", "TTL": 300,
                                        "ResourceRecords": [{"Value": "192.0.2.10"}]})  # fmt: skip
    alias = {"HostedZoneId": zone_id.split("/")[-1], "DNSName": f"www.{apex}", "EvaluateTargetHealth": False}

    change(route53, backend, zone_id, "CREATE", {"Name": apex, "Type": "A", "AliasTarget": alias})

    at_apex = {r["Type"]: r for r in records_named(route53, zone_id, apex)}
    assert sorted(at_apex) == ["A", "NS", "SOA"]
    assert at_apex["A"]["AliasTarget"]["DNSName"].rstrip(".") == f"www.{apex}".rstrip(".")
    assert "TTL" not in at_apex["A"]  # an alias takes the target's answer; it has no TTL of its own


def test_a_private_hosted_zone_is_tied_to_its_vpc_and_has_no_public_name_servers(
    route53, ec2, unique_name, aws_region, backend
):
    vpc = create_vpc(
        ec2,
        "10.0.0.0/16",
        backend=backend,
    )["VpcId"]
    name = f"{unique_name('corp')}.internal"

    created = route53.create_hosted_zone(
        Name=name, CallerReference=unique_name("ref"), VPC={"VPCRegion": aws_region, "VPCId": vpc},
        HostedZoneConfig={"PrivateZone": True, "Comment": "answers only inside the VPC"},
    )  # fmt: skip

    zone = route53.get_hosted_zone(Id=created["HostedZone"]["Id"])
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert zone["VPCs"] == [{"VPCRegion": aws_region, "VPCId": vpc}]
    assert "DelegationSet" not in created and "DelegationSet" not in zone  # nothing to delegate to from the internet
    in_vpc = route53.list_hosted_zones_by_vpc(VPCId=vpc, VPCRegion=aws_region)["HostedZoneSummaries"]
    assert [z["Name"] for z in in_vpc] == [f"{name}."]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates a zone for a VPC that does not exist; AWS: InvalidVPCId",
    evidence=f"{SNAPSHOTS}#test_create_hosted_zone_in_non_existent_vpc",
)
def test_a_private_hosted_zone_for_a_vpc_that_does_not_exist_is_refused(route53, unique_name, aws_region):
    code = error_code(
        route53.create_hosted_zone, Name=f"{unique_name('corp')}.internal", CallerReference=unique_name("ref"),
        VPC={"VPCRegion": aws_region, "VPCId": "vpc-0000000000000000f"},
    )  # fmt: skip

    assert code == "InvalidVPCId"
