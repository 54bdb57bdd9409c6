"""A certificate in ACM belongs to one region: a load balancer uses one from its own region, CloudFront one
from us-east-1. DNS validation asks for one CNAME record per domain name. The same certificate *material*
(your own, or an exportable ACM one) can be imported into ACM in any number of regions, each time as a new,
regional certificate."""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from labkit.eventually import eventually
from labkit.report import show_table

SNAPSHOTS = "localstack/localstack:tests/aws/services/acm/test_acm.snapshot.json"
PENDING = f"{SNAPSHOTS}#test_certificate_for_subdomain_wildcard"


@pytest.fixture
def acm_us(aws_client):
    return aws_client("acm", region_name="us-east-1")


@pytest.fixture
def acm_eu(aws_client):
    return aws_client("acm", region_name="eu-west-1")


@pytest.fixture
def names(unique_name):
    """(www.<unique>.example.com, <unique>.example.com): names no other test (or account user) asks for."""
    site = f"{unique_name('site')}.example.com"
    return f"www.{site}", site


def request(acm, names, **options):
    domain, alternate = names
    return acm.request_certificate(
        DomainName=domain, SubjectAlternativeNames=[alternate], ValidationMethod="DNS", **options
    )["CertificateArn"]


def listed(acm, domain):
    """This test's certificates in the client's region (the account may hold others)."""
    summaries = acm.get_paginator("list_certificates").paginate().build_full_result()["CertificateSummaryList"]
    return [c["CertificateArn"] for c in summaries if c["DomainName"] == domain]


def validation_records(acm, arn, backend):
    """The DNS validation options, once ACM has filled in every CNAME (on AWS that takes a few seconds)."""

    def complete():
        options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
        return options if all("ResourceRecord" in o for o in options) else None

    return eventually(complete, backend, aws_seconds=60, interval=2)


def self_signed(common_name: str) -> tuple[bytes, bytes]:
    """A 30-day self-signed certificate and its unencrypted private key, both PEM: material you own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), private


def test_a_certificate_requested_in_us_east_1_is_not_listed_in_eu_west_1(acm_us, acm_eu, names):
    arn = request(acm_us, names)

    assert arn.split(":")[3] == "us-east-1"  # the region is part of the certificate's ARN
    assert listed(acm_us, names[0]) == [arn]
    assert listed(acm_eu, names[0]) == []


@pytest.mark.diverges(
    "ministack",
    "issues a requested certificate at once (ISSUED); AWS keeps it PENDING_VALIDATION until the CNAMEs resolve",
    evidence=PENDING,
)
def test_dns_validation_asks_for_one_cname_per_domain_name(acm_us, names, backend):
    arn = request(acm_us, names)

    records = validation_records(acm_us, arn, backend)
    certificate = acm_us.describe_certificate(CertificateArn=arn)["Certificate"]
    options = {o["DomainName"]: o for o in records or []}
    show_table(
        "DNS validation records to create", ["domain", "type", "name", "value"],
        [[d, o["ResourceRecord"]["Type"], o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"]]
         for d, o in sorted(options.items())],
    )  # fmt: skip
    assert certificate["Status"] == "PENDING_VALIDATION"  # until the records resolve
    assert sorted(options) == sorted(names)
    for domain, option in options.items():
        record = option["ResourceRecord"]
        assert (option["ValidationMethod"], record["Type"]) == ("DNS", "CNAME")
        assert record["Name"].startswith("_") and record["Name"].endswith(f".{domain}.")
        assert record["Value"].endswith(".acm-validations.aws.")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "answers an EMAIL-validated request with DNS validation options; AWS lists ValidationMethod EMAIL",
    evidence=f"{SNAPSHOTS}#test_create_certificate_for_multiple_alternative_domains",
)
def test_email_validation_is_recorded_as_email(acm_us, names):
    arn = acm_us.request_certificate(DomainName=names[0], ValidationMethod="EMAIL")["CertificateArn"]

    options = acm_us.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]

    assert [o["ValidationMethod"] for o in options] == ["EMAIL"]


def distribution_config(certificate_arn, domain):
    """A minimal distribution for www.example.com in front of a bucket, served over HTTPS with SNI."""
    return {
        "CallerReference": certificate_arn, "Comment": "", "Enabled": True,
        "Aliases": {"Quantity": 1, "Items": [domain]},
        "Origins": {"Quantity": 1, "Items": [
            {"Id": "site", "DomainName": "labs-site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}},
        ]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        },
        "ViewerCertificate": {
            "ACMCertificateArn": certificate_arn, "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
    }  # fmt: skip


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "accepts a CloudFront distribution whose certificate is in eu-west-1; AWS: InvalidViewerCertificate "
    "(CloudFront only takes certificates from us-east-1)",
    evidence="https://docs.aws.amazon.com/acm/latest/userguide/acm-services.html",
)
def test_cloudfront_refuses_a_certificate_from_outside_us_east_1(aws_client, acm_eu, names):
    arn = request(acm_eu, names)

    with pytest.raises(ClientError) as raised:
        aws_client("cloudfront").create_distribution(DistributionConfig=distribution_config(arn, names[0]))

    assert raised.value.response["Error"]["Code"] == "InvalidViewerCertificate"


@pytest.mark.diverges(
    "ministack",
    "names an imported certificate imported-cert-<id>.invalid; AWS takes DomainName from the certificate",
    evidence=f"{SNAPSHOTS}#test_import_certificate",
)
def test_unlike_the_note_says_the_same_certificate_can_be_imported_into_other_regions(acm_us, acm_eu, names):
    """The note: "ACM is regional and can't be imported to other region". Your own certificate can be imported
    into every region that needs it; each import is a separate, regional ACM certificate."""
    domain = names[0]
    certificate, private_key = self_signed(domain)

    in_us = acm_us.import_certificate(Certificate=certificate, PrivateKey=private_key)["CertificateArn"]
    in_eu = acm_eu.import_certificate(Certificate=certificate, PrivateKey=private_key)["CertificateArn"]

    assert (in_us.split(":")[3], in_eu.split(":")[3]) == ("us-east-1", "eu-west-1")
    assert listed(acm_us, domain) == [in_us] and listed(acm_eu, domain) == [in_eu]
    described = acm_eu.describe_certificate(CertificateArn=in_eu)["Certificate"]
    assert (described["Type"], described["DomainName"]) == ("IMPORTED", domain)  # you renew it, not ACM


@pytest.mark.diverges(
    "ministack",
    "drops Options.Export of a requested certificate; AWS records Export ENABLED",
    evidence="https://docs.aws.amazon.com/acm/latest/userguide/acm-exportable-certificates.html",
)
def test_a_public_certificate_requested_as_exportable_is_accepted_and_stored(acm_us, names):
    """Since June 2025 a public ACM certificate requested with Export ENABLED can be exported (certificate,
    chain and encrypted private key) once issued; before, ACM-issued public certificates never left ACM."""
    arn = request(acm_us, names, Options={"Export": "ENABLED"})

    assert acm_us.describe_certificate(CertificateArn=arn)["Certificate"]["Options"]["Export"] == "ENABLED"
