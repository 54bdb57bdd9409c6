"""Cache behaviours: the default one and one per path pattern, each with its caching settings (TTLs of its own,
or a cache policy). Invalidations tell every edge location to drop paths before their TTL runs out."""

from __future__ import annotations

import pytest

from labkit.cloudfront import CACHING_DISABLED, CACHING_OPTIMIZED, ORIGIN_ID, legacy_behaviour

MANAGED_DOC = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html"
INVALIDATION_DOC = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Invalidation.html"
ONE_DAY, ONE_YEAR = 86400, 31536000


def api_behaviour(**settings):
    """A second behaviour for ``/api/*``: forwards query strings, caches nothing."""
    return {"Quantity": 1, "Items": [{"PathPattern": "/api/*", **settings}]}


def ttls(behaviour):
    return behaviour["MinTTL"], behaviour["DefaultTTL"], behaviour["MaxTTL"]


def test_behaviours_and_their_ttls_are_accepted_and_stored(cloudfront, make_distribution):
    api = legacy_behaviour(DefaultTTL=0, MaxTTL=0)
    api["ForwardedValues"] = {"QueryString": True, "Cookies": {"Forward": "none"}}
    distribution = make_distribution(CacheBehaviors=api_behaviour(**api))

    config = cloudfront.get_distribution_config(Id=distribution["Id"])["DistributionConfig"]

    assert ttls(config["DefaultCacheBehavior"]) == (0, ONE_DAY, ONE_YEAR)
    [stored] = config["CacheBehaviors"]["Items"]
    assert (stored["PathPattern"], ttls(stored), stored["ForwardedValues"]["QueryString"]) == (
        "/api/*",
        (0, 0, 0),
        True,
    )


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "has no ListCachePolicies (404); AWS lists its managed cache policies",
    evidence=MANAGED_DOC,
)
def test_the_managed_caching_optimized_policy_caches_a_day_by_default_and_a_year_at_most(cloudfront):
    managed = cloudfront.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]

    [optimized] = [p["CachePolicy"] for p in managed if p["CachePolicy"]["Id"] == CACHING_OPTIMIZED]
    assert ttls(optimized["CachePolicyConfig"]) == (1, ONE_DAY, ONE_YEAR)


def test_behaviours_can_use_managed_cache_policies_instead_of_their_own_ttls(cloudfront, make_distribution):
    modern = {"TargetOriginId": ORIGIN_ID, "ViewerProtocolPolicy": "redirect-to-https"}
    distribution = make_distribution(
        DefaultCacheBehavior={**modern, "CachePolicyId": CACHING_OPTIMIZED},
        CacheBehaviors=api_behaviour(**modern, CachePolicyId=CACHING_DISABLED),
    )

    config = cloudfront.get_distribution_config(Id=distribution["Id"])["DistributionConfig"]

    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED
    assert config["CacheBehaviors"]["Items"][0]["CachePolicyId"] == CACHING_DISABLED


@pytest.fixture
def invalidation(cloudfront, make_distribution, unique_name):
    """An invalidation of two paths on a new distribution: (distribution id, CreateInvalidation's answer)."""
    distribution = make_distribution()
    batch = {"Paths": {"Quantity": 2, "Items": ["/index.html", "/images/*"]}, "CallerReference": unique_name("inv")}
    created = cloudfront.create_invalidation(DistributionId=distribution["Id"], InvalidationBatch=batch)
    return distribution["Id"], created["Invalidation"]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "answers a finished invalidation at once (moto: COMPLETED, MiniStack: Completed); AWS answers InProgress while "
    "the edge locations work through it",
    evidence=INVALIDATION_DOC,
)
def test_a_new_invalidation_is_in_progress(invalidation):
    assert invalidation[1]["Status"] == "InProgress"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "reports the status as COMPLETED, so the invalidation_completed waiter (which waits for Completed) gives up; "
    "AWS reports Completed",
    evidence=INVALIDATION_DOC,
)
def test_an_invalidation_completes_once_the_waiter_returns(cloudfront, invalidation, waiting):
    distribution_id, created = invalidation

    cloudfront.get_waiter("invalidation_completed").wait(
        DistributionId=distribution_id, Id=created["Id"], WaiterConfig=waiting
    )

    done = cloudfront.get_invalidation(DistributionId=distribution_id, Id=created["Id"])["Invalidation"]
    assert done["Status"] == "Completed"


def test_an_invalidation_keeps_its_paths_and_is_listed(cloudfront, invalidation):
    distribution_id, created = invalidation

    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]["Items"]

    assert sorted(created["InvalidationBatch"]["Paths"]["Items"]) == ["/images/*", "/index.html"]
    assert [i["Id"] for i in listed] == [created["Id"]]
