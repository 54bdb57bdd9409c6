"""Set-up shared by the CloudFront labs: an origin bucket, distributions in front of it (disabled and deleted
after the test, as CloudFront requires), and waiter settings that suit the backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.cloudfront import ORIGIN_ID, legacy_behaviour
from labkit.eventually import waiter_config


@pytest.fixture
def cloudfront(aws_client):
    return aws_client("cloudfront")


@pytest.fixture
def s3(aws_client):
    return aws_client("s3")


@pytest.fixture
def waiting(backend) -> dict[str, float]:
    """``WaiterConfig`` for CloudFront's waiters: botocore's own pace on AWS (a distribution takes minutes to
    deploy), a quick poll on an emulator."""
    return {} if not backend.is_emulator else waiter_config(backend, emulator_seconds=5)


@pytest.fixture
def origin_bucket(s3, unique_name, aws_region) -> dict[str, str]:
    """A private bucket with ``index.html``; ``domain`` is its REST endpoint name, which CloudFront uses as an
    S3 origin (``<bucket>.s3.<region>.amazonaws.com``)."""
    name = unique_name("origin")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="index.html", Body=b"<h1>Hello from the edge</h1>", ContentType="text/html")
    return {"name": name, "domain": f"{name}.s3.{aws_region}.amazonaws.com"}


@pytest.fixture
def make_distribution(
    cloudfront, origin_bucket, unique_name, waiting, make_origin_access_control
) -> Iterator[Callable[..., dict[str, Any]]]:
    """``make_distribution(oac_id=None, **config)`` -> the new distribution (CreateDistribution's answer).

    An S3 origin for ``origin_bucket`` and a default behaviour unless ``config`` says otherwise. Afterwards each
    one is disabled, waited for and deleted: CloudFront refuses to delete an enabled distribution."""
    created: list[str] = []

    def make(oac_id: str | None = None, **config: Any) -> dict[str, Any]:
        origin: dict[str, Any] = {
            "Id": ORIGIN_ID,
            "DomainName": origin_bucket["domain"],
            "S3OriginConfig": {"OriginAccessIdentity": ""},  # empty: no legacy OAI
        }
        if oac_id:
            origin["OriginAccessControlId"] = oac_id
        distribution_config = {
            "CallerReference": unique_name("ref"),
            "Comment": "labs",
            "Enabled": True,
            "DefaultRootObject": "index.html",
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": legacy_behaviour(DefaultTTL=86400, MaxTTL=31536000),
            **config,
        }
        distribution = cloudfront.create_distribution(DistributionConfig=distribution_config)["Distribution"]
        created.append(distribution["Id"])
        return distribution

    yield make
    for distribution_id in reversed(created):
        _disable_and_delete(cloudfront, distribution_id, waiting)


def _disable_and_delete(cloudfront: Any, distribution_id: str, waiting: dict[str, int]) -> None:
    try:
        current = cloudfront.get_distribution_config(Id=distribution_id)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchDistribution":
            return  # the test deleted it itself
        raise
    etag, config = current["ETag"], current["DistributionConfig"]
    if config["Enabled"]:
        config["Enabled"] = False
        etag = cloudfront.update_distribution(Id=distribution_id, DistributionConfig=config, IfMatch=etag)["ETag"]
        cloudfront.get_waiter("distribution_deployed").wait(Id=distribution_id, WaiterConfig=waiting)
    cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)


@pytest.fixture
def make_origin_access_control(cloudfront, unique_name) -> Iterator[Callable[[], dict[str, Any]]]:
    """``make_origin_access_control()`` -> a new OAC for S3 (sigv4, always sign); deleted after the test, once
    the distributions that use it are gone (``make_distribution`` depends on this fixture, so it is torn down
    first)."""
    created: list[str] = []

    def make() -> dict[str, Any]:
        answer = cloudfront.create_origin_access_control(
            OriginAccessControlConfig={
                "Name": unique_name("oac"),
                "Description": "labs: CloudFront signs its requests to the S3 origin",
                "SigningProtocol": "sigv4",
                "SigningBehavior": "always",
                "OriginAccessControlOriginType": "s3",
            }
        )
        created.append(answer["OriginAccessControl"]["Id"])
        return answer["OriginAccessControl"]

    yield make
    for oac_id in reversed(created):
        etag = cloudfront.get_origin_access_control(Id=oac_id)["ETag"]
        cloudfront.delete_origin_access_control(Id=oac_id, IfMatch=etag)
