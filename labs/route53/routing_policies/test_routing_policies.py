"""Each Route 53 routing policy is a way of writing record sets: several records of one name and type, told
apart by SetIdentifier, each carrying a Weight, a Region, a Failover role, a GeoLocation or MultiValueAnswer,
optionally tied to a health check. The emulators store and list them; they answer no DNS queries."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import NETWORK_CHANGE, waiter_config
from labkit.report import show_table

ZONE = "example.com"
CHANGE_API = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html"
RECORD_SET = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html"
HEALTH_CHECK = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html"


@pytest.fixture
def route53(aws_client):
    return aws_client("route53")


@pytest.fixture
def zone_id(route53, unique_name):
    return route53.create_hosted_zone(Name=ZONE, CallerReference=unique_name("zone"))["HostedZone"]["Id"]


@pytest.fixture
def health_check(route53, unique_name):
    """An HTTP check of /health on 192.0.2.10, with only the required settings."""
    config = {"Type": "HTTP", "IPAddress": "192.0.2.10", "Port": 80, "ResourcePath": "/health"}
    return route53.create_health_check(CallerReference=unique_name("hc"), HealthCheckConfig=config)["HealthCheck"]


def a_record(name, *values, **routing):
    return {
        "Name": f"{name}.{ZONE}",
        "Type": "A",
        "TTL": 60,
        "ResourceRecords": [{"Value": v} for v in values],
        **routing,
    }


def create(route53, backend, zone_id, *records):
    """Create the records and wait until the change is INSYNC (AWS answers PENDING, then propagates it)."""
    changes = [{"Action": "CREATE", "ResourceRecordSet": record} for record in records]
    change = route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    route53.get_waiter("resource_record_sets_changed").wait(
        Id=change["ChangeInfo"]["Id"], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    return change


def listed(route53, zone_id, name):
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return [r for r in records if r["Name"] == f"{name}.{ZONE}."]


def test_a_new_hosted_zone_holds_its_ns_and_soa_records(route53, zone_id):
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]

    assert sorted(r["Type"] for r in records) == ["NS", "SOA"]
    ns = next(r for r in records if r["Type"] == "NS")
    assert len(ns["ResourceRecords"]) == 4  # four name servers, in four top-level domains


def test_simple_routing_is_one_record_with_several_values_and_no_set_identifier(route53, zone_id, backend):
    create(route53, backend, zone_id, a_record("simple", "192.0.2.1", "192.0.2.2"))

    [record] = listed(route53, zone_id, "simple")
    assert [v["Value"] for v in record["ResourceRecords"]] == ["192.0.2.1", "192.0.2.2"]  # the client picks one
    assert "SetIdentifier" not in record and "HealthCheckId" not in record


def test_weighted_records_share_a_name_and_split_traffic_by_weight(route53, zone_id, backend):
    create(
        route53, backend, zone_id,
        a_record("app", "192.0.2.1", SetIdentifier="blue", Weight=90),
        a_record("app", "192.0.2.2", SetIdentifier="green", Weight=10),
    )  # fmt: skip

    records = {r["SetIdentifier"]: r["Weight"] for r in listed(route53, zone_id, "app")}
    total = sum(records.values())
    show_table("weighted: expected share of answers", ["set", "weight", "share"],
               [[k, w, f"{w / total:.0%}"] for k, w in sorted(records.items())])  # fmt: skip
    assert records == {"blue": 90, "green": 10}  # green gets 10 / (90 + 10) of the answers


def test_latency_records_each_name_the_region_of_their_resource(route53, zone_id, backend):
    create(
        route53, backend, zone_id,
        a_record("fast", "192.0.2.1", SetIdentifier="virginia", Region="us-east-1"),
        a_record("fast", "192.0.2.2", SetIdentifier="ireland", Region="eu-west-1"),
    )  # fmt: skip

    assert {r["SetIdentifier"]: r["Region"] for r in listed(route53, zone_id, "fast")} == {
        "virginia": "us-east-1",
        "ireland": "eu-west-1",
    }


@pytest.mark.diverges(
    "ministack",
    "returns no RequestInterval or FailureThreshold for a health check; AWS fills in 30 and 3",
    evidence=HEALTH_CHECK,
)
def test_a_health_check_defaults_to_30_second_checks_and_3_failures(route53, health_check):
    config = route53.get_health_check(HealthCheckId=health_check["Id"])["HealthCheck"]["HealthCheckConfig"]

    assert (config["RequestInterval"], config["FailureThreshold"]) == (30, 3)  # the note's numbers


def test_failover_pairs_a_health_checked_primary_with_a_secondary(route53, zone_id, health_check, backend):
    create(
        route53, backend, zone_id,
        a_record("site", "192.0.2.1", SetIdentifier="main", Failover="PRIMARY", HealthCheckId=health_check["Id"]),
        a_record("site", "192.0.2.2", SetIdentifier="standby", Failover="SECONDARY"),
    )  # fmt: skip

    roles = {r["Failover"]: r for r in listed(route53, zone_id, "site")}
    assert sorted(roles) == ["PRIMARY", "SECONDARY"]
    assert roles["PRIMARY"]["HealthCheckId"] == health_check["Id"]  # answered while this check passes


def test_geolocation_records_match_country_then_continent_then_the_default(route53, zone_id, backend):
    create(
        route53, backend, zone_id,
        a_record("shop", "192.0.2.1", SetIdentifier="germany", GeoLocation={"CountryCode": "DE"}),
        a_record("shop", "192.0.2.2", SetIdentifier="europe", GeoLocation={"ContinentCode": "EU"}),
        a_record("shop", "192.0.2.3", SetIdentifier="everyone-else", GeoLocation={"CountryCode": "*"}),
    )  # fmt: skip

    locations = {r["SetIdentifier"]: r["GeoLocation"] for r in listed(route53, zone_id, "shop")}
    assert locations == {
        "germany": {"CountryCode": "DE"},
        "europe": {"ContinentCode": "EU"},
        "everyone-else": {"CountryCode": "*"},  # the default location, for queries no other record matches
    }


def test_multivalue_records_each_carry_their_own_health_check(route53, zone_id, health_check, backend):
    create(
        route53, backend, zone_id,
        *[a_record("pool", f"192.0.2.{i}", SetIdentifier=f"node-{i}", MultiValueAnswer=True,
                   HealthCheckId=health_check["Id"]) for i in range(1, 10)],
    )  # fmt: skip

    records = listed(route53, zone_id, "pool")
    assert len(records) == 9  # nine stored; a DNS answer would hold at most 8 healthy ones (not served here)
    assert {r["MultiValueAnswer"] for r in records} == {True}
    assert {r["HealthCheckId"] for r in records} == {health_check["Id"]}


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "CREATE of an existing name and type adds a duplicate record; AWS: InvalidChangeBatch",
    evidence=CHANGE_API,
)
def test_creating_a_record_that_already_exists_is_rejected(route53, zone_id, backend):
    create(route53, backend, zone_id, a_record("simple", "192.0.2.1"))

    with pytest.raises(ClientError) as raised:
        create(route53, backend, zone_id, a_record("simple", "192.0.2.9"))

    assert raised.value.response["Error"]["Code"] == "InvalidChangeBatch"  # UPSERT is the way to replace it


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "stores a weighted record without SetIdentifier; AWS: InvalidInput (missing field)",
    evidence=RECORD_SET,
)
def test_a_weighted_record_needs_a_set_identifier(route53, zone_id, backend):
    with pytest.raises(ClientError) as raised:
        create(route53, backend, zone_id, a_record("app", "192.0.2.1", Weight=10))

    assert raised.value.response["Error"]["Code"] == "InvalidInput"
