"""IMDSv2 as the SDK speaks it: botocore's own InstanceMetadataFetcher, pointed at moto server's metadata
endpoint, first PUTs /latest/api/token with a TTL header, then sends the token with every GET.

The harness sets AWS_EC2_METADATA_DISABLED=true (its guard: no SDK may fetch credentials from a real
metadata service). The fetcher honours that, so the tests that want it to talk hand it an environment of
their own (``env=``) instead of changing the process's.
"""

from __future__ import annotations

import pytest
import requests
from botocore.utils import InstanceMetadataFetcher

from labkit.network import create_subnet, create_vpc, launch, zones
from labkit.report import show_table

TOKEN_HEADER = "x-aws-ec2-metadata-token"
TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
SIX_HOURS = 21600
IMDS_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html"
HOW_IT_WORKS = "https://docs.amazonaws.cn/en_us/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html"
NO_IMDS_ON_LOCALSTACK = "serves no instance metadata endpoint (404 on /latest/...); on AWS every instance has one"


def recording_fetcher(base_url, env):
    """An InstanceMetadataFetcher whose HTTP requests are also recorded as (method, path, headers)."""
    fetcher = InstanceMetadataFetcher(base_url=base_url, env=env, timeout=2, num_attempts=1)
    sent = []
    session = fetcher._session  # botocore's URLLib3Session: wrap its send to watch the exchange
    original_send = session.send

    def send(request):
        path = request.url.split("//", 1)[1].split("/", 1)[1]
        sent.append((request.method, f"/{path}", dict(request.headers)))
        return original_send(request)

    session.send = send
    return fetcher, sent


@pytest.fixture
def instance(ec2, backend):
    """A running instance launched with IMDSv2 required, in a subnet of the lab's own VPC."""
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)
    subnet = create_subnet(ec2, vpc["VpcId"], "10.0.1.0/24", zones(ec2, 1)[0], backend=backend)
    options = {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
    return launch(ec2, subnet["SubnetId"], MetadataOptions=options, backend=backend)["InstanceId"]


@pytest.mark.diverges(
    "ministack", "launches the instance but returns no MetadataOptions; AWS lists them", evidence=IMDS_DOCS
)
def test_http_tokens_required_is_stored_on_the_instance(ec2, instance):
    described = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]

    options = described["MetadataOptions"]
    assert (options["HttpTokens"], options["HttpEndpoint"], options["HttpPutResponseHopLimit"]) == (
        "required",
        "enabled",
        1,
    )


@pytest.mark.diverges(
    "ministack", "has no ModifyInstanceMetadataOptions (InvalidAction); AWS switches the option", evidence=IMDS_DOCS
)
@pytest.mark.diverges(
    "localstack",
    "ModifyInstanceMetadataOptions with HttpTokens alone fails with InternalError; AWS needs no other option",
    evidence=IMDS_DOCS,
)
def test_an_existing_instance_can_be_switched_between_optional_and_required(ec2, instance):

    relaxed = ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="optional")
    ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="required")
    described = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]

    assert relaxed["InstanceMetadataOptions"]["HttpTokens"] == "optional"
    assert described["MetadataOptions"]["HttpTokens"] == "required"


@pytest.mark.needs("http-endpoint")
@pytest.mark.diverges("localstack", NO_IMDS_ON_LOCALSTACK, evidence=HOW_IT_WORKS)
def test_the_sdk_puts_for_a_token_then_sends_it_with_every_get(backend):
    fetcher, sent = recording_fetcher(backend.endpoint_url, env={"AWS_EC2_METADATA_DISABLED": "false"})

    credentials = fetcher.retrieve_iam_role_credentials()
    show_table(
        "what botocore sent to the metadata service",
        ["method", "path", "token header"],
        [[m, p, h.get(TTL_HEADER) and f"ttl {h[TTL_HEADER]}" or (h.get(TOKEN_HEADER) and "token")] for m, p, h in sent],
    )

    methods_and_paths = [(method, path) for method, path, _ in sent]
    assert methods_and_paths == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/iam/security-credentials/"),
        ("GET", f"/latest/meta-data/iam/security-credentials/{credentials['role_name']}"),
    ]
    token = sent[1][2][TOKEN_HEADER]
    assert sent[0][2][TTL_HEADER] == str(SIX_HOURS)  # botocore asks for the maximum, 6 hours
    assert token and all(headers[TOKEN_HEADER] == token for _, _, headers in sent[1:])
    assert {"access_key", "secret_key", "token", "expiry_time"} <= credentials.keys()


def test_the_harness_switch_keeps_the_sdk_away_from_the_metadata_service():
    fetcher, sent = recording_fetcher("http://169.254.169.254/", env={"AWS_EC2_METADATA_DISABLED": "true"})

    credentials = fetcher.retrieve_iam_role_credentials()

    assert (credentials, sent) == ({}, [])  # nothing was sent: the SDK gave up before the first request


@pytest.mark.needs("http-endpoint")
@pytest.mark.diverges("moto-server", "hands out a token for any TTL; AWS answers 400 above 21600 s", evidence=IMDS_DOCS)
@pytest.mark.diverges(
    "ministack", "clamps a TTL above 21600 s to 21600 and gives a token; AWS answers 400", evidence=IMDS_DOCS
)
@pytest.mark.diverges("localstack", NO_IMDS_ON_LOCALSTACK, evidence=IMDS_DOCS)
def test_a_token_ttl_above_six_hours_is_refused(backend):
    response = requests.put(
        f"{backend.endpoint_url}/latest/api/token", headers={TTL_HEADER: str(SIX_HOURS + 1)}, timeout=5
    )

    assert response.status_code == 400


@pytest.mark.needs("http-endpoint")
@pytest.mark.diverges(
    ("moto-server", "ministack"),
    "answers a GET without a token; AWS answers 401 when HttpTokens is required",
    evidence=IMDS_DOCS,
)
@pytest.mark.diverges("localstack", NO_IMDS_ON_LOCALSTACK, evidence=IMDS_DOCS)
def test_a_get_without_a_token_is_refused_when_tokens_are_required(backend):
    """On AWS this runs on an instance launched with HttpTokens=required (the fixture above); an emulator's
    metadata endpoint belongs to no instance, so none is launched here."""
    response = requests.get(f"{backend.endpoint_url}/latest/meta-data/instance-id", timeout=5)

    assert response.status_code == 401
