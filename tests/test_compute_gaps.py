"""labkit.load_balancing: a load balancer created and waited for, attributes as dicts, outcomes as words, and a
self-signed certificate that ACM imports (against a moto server where a service answers)."""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from labkit import load_balancing


def test_a_self_signed_certificate_names_its_host_and_matches_its_key():
    certificate_pem, key_pem = load_balancing.self_signed_certificate("shop.example.com", days=10)

    certificate = x509.load_pem_x509_certificate(certificate_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "shop.example.com"
    assert certificate.issuer == certificate.subject
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["shop.example.com"]
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    lifetime = certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=9) < lifetime <= datetime.timedelta(days=10)


def refuse(**_):
    raise ClientError({"Error": {"Code": "ValidationError", "Message": "no"}}, "CreateListener")


def test_an_outcome_is_allowed_or_refused():
    assert load_balancing.outcome(lambda **_: {"ok": True}, Port=80) == "allowed"
    assert load_balancing.outcome(refuse, Port=80) == "refused"


# --- against a moto server ------------------------------------------------------------------------------------


@pytest.fixture
def subnets(server_client):
    ec2 = server_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return vpc, [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(["us-east-1a", "us-east-1b"], 1)
    ]


def test_a_load_balancer_is_returned_as_created_and_once_active(server_client, subnets, moto_server):
    balancer = load_balancing.create_load_balancer(
        server_client("elbv2"), "web", subnets[1], moto_server, Type="network"
    )

    assert balancer["created"]["State"]["Code"] == "provisioning"
    assert balancer["active"]["State"]["Code"] == "active"
    assert balancer["active"]["Type"] == "network"


def test_attributes_read_as_a_dict(server_client, subnets, moto_server):
    elbv2 = server_client("elbv2")
    arn = load_balancing.create_load_balancer(elbv2, "web", subnets[1], moto_server)["active"]["LoadBalancerArn"]
    group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=subnets[0])["TargetGroups"][0]

    assert load_balancing.attributes(elbv2, arn)["deletion_protection.enabled"] == "false"
    assert load_balancing.target_group_attributes(elbv2, group["TargetGroupArn"])[
        "deregistration_delay.timeout_seconds"
    ] == "300"  # fmt: skip


def test_an_imported_certificate_is_issued_for_its_name(server_client):
    acm = server_client("acm")

    arn = load_balancing.imported_certificate(acm, "shop.example.com")

    found = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (found["DomainName"], found["Status"], found["Type"]) == ("shop.example.com", "ISSUED", "IMPORTED")
