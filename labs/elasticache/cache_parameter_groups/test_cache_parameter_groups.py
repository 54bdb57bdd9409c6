"""ElastiCache parameter groups: the engine settings every node of a cache starts with. A new group is a copy of its
family's default group; changing a value changes that group only; the default groups themselves cannot be changed;
a value outside a parameter's allowed values is refused; a group still used by a cache cannot be deleted. The
parameter the lab changes, ``maxmemory-policy``, is the eviction rule of the note: which keys Redis drops when its
memory is full (least recently used, among keys with a TTL or among all keys)."""

from __future__ import annotations

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.report import show

FAMILY, DEFAULT_GROUP = "redis7", "default.redis7"
NO_GROUPS = "has no cache parameter groups (CreateCacheParameterGroup is not implemented)"
MANAGEMENT_DOC = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Management.html"
CREATE = "botocore:elasticache/2015-02-02#CreateCacheParameterGroup"


def values(elasticache, group):
    """{parameter name: (value, source)} of every parameter in the group (DescribeCacheParameters pages by 100)."""
    pages = elasticache.get_paginator("describe_cache_parameters").paginate(CacheParameterGroupName=group)
    found = [p for page in pages for p in page["Parameters"]]
    return {p["ParameterName"]: (p.get("ParameterValue"), p.get("Source")) for p in found}


@pytest.fixture
def parameter_group(elasticache, unique_name):
    """A new parameter group of the redis7 family."""
    name = unique_name("redis7")
    elasticache.create_cache_parameter_group(
        CacheParameterGroupName=name, CacheParameterGroupFamily=FAMILY, Description="lab: eviction policy"
    )
    return name


def set_policy(elasticache, group, policy):
    return elasticache.modify_cache_parameter_group(
        CacheParameterGroupName=group,
        ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": policy}],
    )


@pytest.mark.diverges(("moto", "moto-server"), NO_GROUPS, evidence=CREATE)
def test_a_new_group_is_a_copy_of_its_familys_default_group(elasticache, parameter_group):
    new, default = values(elasticache, parameter_group), values(elasticache, DEFAULT_GROUP)

    show(f"maxmemory-policy in a new {FAMILY} group: {new['maxmemory-policy'][0]}")
    assert {name: value for name, (value, _) in new.items()} == {name: value for name, (value, _) in default.items()}


@pytest.mark.diverges(("moto", "moto-server"), NO_GROUPS, evidence=CREATE)
def test_changing_a_parameter_changes_it_in_that_group_only(elasticache, parameter_group):
    before = values(elasticache, DEFAULT_GROUP)["maxmemory-policy"]

    set_policy(elasticache, parameter_group, "allkeys-lru")

    assert values(elasticache, parameter_group)["maxmemory-policy"] == ("allkeys-lru", "user")
    assert values(elasticache, DEFAULT_GROUP)["maxmemory-policy"] == before


@pytest.mark.diverges(("moto", "moto-server"), NO_GROUPS, evidence=MANAGEMENT_DOC)
def test_a_default_group_cannot_be_changed(elasticache):
    assert error_code(set_policy, elasticache, DEFAULT_GROUP, "allkeys-lru") != ALLOWED


@pytest.mark.diverges(("moto", "moto-server"), NO_GROUPS, evidence="botocore:elasticache/2015-02-02#Parameter")
@pytest.mark.diverges(
    "ministack",
    "stores maxmemory-policy 'sometimes'; AWS refuses a value outside the parameter's AllowedValues",
    evidence="botocore:elasticache/2015-02-02#Parameter",
)
def test_a_value_outside_the_parameters_allowed_values_is_refused(elasticache, parameter_group):
    assert error_code(set_policy, elasticache, parameter_group, "sometimes") != ALLOWED  # the code is not documented


@pytest.mark.diverges(("moto", "moto-server"), NO_GROUPS, evidence=CREATE)
@pytest.mark.diverges(
    "ministack",
    "deletes a parameter group a replication group still uses; AWS answers InvalidCacheParameterGroupState",
    evidence="botocore:elasticache/2015-02-02#DeleteCacheParameterGroup",
)
def test_a_group_still_used_by_a_cache_cannot_be_deleted(elasticache, parameter_group, replication_group):
    replication_group(NumCacheClusters=1, CacheParameterGroupName=parameter_group)

    code = error_code(elasticache.delete_cache_parameter_group, CacheParameterGroupName=parameter_group)

    assert code == "InvalidCacheParameterGroupState"
