"""DAX is a cache cluster in front of DynamoDB, managed through its own API (`dax`): a cluster of nodes (one
primary, the rest read replicas), reached at its own dax:// endpoint with the DAX client, acting for you
through an IAM role. This lab creates and reads clusters; it does not cache anything (that needs the DAX
client inside a VPC)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ParamValidationError

from labkit.eventually import retry_while
from labkit.report import show_table

DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide"
NODE_TYPE = "dax.t3.small"
READ_DYNAMODB = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"], "Resource": "*"}
    ],
}
TRUST_DAX = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "dax.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def dax(aws_client):
    return aws_client("dax")


@pytest.fixture
def dax_role(aws_client, unique_name):
    """The IAM role DAX assumes to reach DynamoDB on the cluster's behalf."""
    iam = aws_client("iam")
    role = iam.create_role(RoleName=unique_name("dax-role"), AssumeRolePolicyDocument=json.dumps(TRUST_DAX))
    iam.put_role_policy(
        RoleName=role["Role"]["RoleName"], PolicyName="dynamodb-read", PolicyDocument=json.dumps(READ_DYNAMODB)
    )
    return role["Role"]["Arn"]


def cluster_name(unique_name):
    """A DAX cluster name: at most 20 characters, starting with a letter (CreateCluster's constraints)."""
    return unique_name("dax", max_length=20)


def describe(dax, name):
    return dax.describe_clusters(ClusterNames=[name])["Clusters"][0]


def wait_available(dax, name, backend):
    """A cluster is 'creating' for minutes on AWS (and 'modifying' after a change): poll until 'available', every
    30 s on AWS. moto moves a cluster on after a few DescribeClusters calls, so there it polls without pausing."""
    for _ in range(10 if backend.is_emulator else 120):
        cluster = describe(dax, name)
        nodes = [node["NodeStatus"] for node in cluster.get("Nodes", [])]
        if cluster["Status"] == "available" and set(nodes) == {"available"}:
            return cluster
        if not backend.is_emulator:
            time.sleep(30)
    raise AssertionError(f"DAX cluster {name} is not available: {cluster['Status']}")


@pytest.fixture
def cluster(dax, dax_role, unique_name, backend):
    """A three-node cluster (one primary, two read replicas), once available."""
    name = cluster_name(unique_name)
    retry_while(  # AWS: a role made seconds ago may not be assumable yet; IAM catches up
        "InvalidParameterValueException",
        dax.create_cluster,
        backend,
        ClusterName=name,
        NodeType=NODE_TYPE,
        ReplicationFactor=3,
        IamRoleArn=dax_role,
    )
    return wait_available(dax, name, backend)


def test_a_cluster_has_one_node_per_replication_factor(cluster):
    show_table(
        f"DAX cluster {cluster['ClusterName']}",
        ["node", "status"],
        [[node["NodeId"], node["NodeStatus"]] for node in cluster["Nodes"]],
    )

    assert cluster["TotalNodes"] == 3
    assert len(cluster["Nodes"]) == 3


def test_a_cluster_is_reached_at_its_own_dax_endpoint(cluster, aws_region):
    """Not dynamodb.<region>.amazonaws.com: the application's DAX client talks to this address instead."""
    endpoint = cluster["ClusterDiscoveryEndpoint"]

    assert endpoint["URL"] == f"dax://{endpoint['Address']}"
    assert endpoint["Address"].endswith(f".dax-clusters.{aws_region}.amazonaws.com")


def test_adding_nodes_grows_the_cluster(dax, cluster, backend):
    dax.increase_replication_factor(ClusterName=cluster["ClusterName"], NewReplicationFactor=5)

    grown = wait_available(dax, cluster["ClusterName"], backend)

    assert (grown["TotalNodes"], len(grown["Nodes"])) == (5, 5)


def test_the_api_requires_an_iam_role_for_a_cluster(dax, unique_name):
    """The role is a required parameter: the SDK refuses the call before it is sent."""
    with pytest.raises(ParamValidationError, match="IamRoleArn"):
        dax.create_cluster(ClusterName=cluster_name(unique_name), NodeType=NODE_TYPE, ReplicationFactor=1)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "has no DescribeDefaultParameters; AWS reports the item and query caches' default TTL, 300,000 ms",
    evidence=f"{DOCS}/DAX.concepts.html ; {DOCS}/dax-config-considerations.html"
    " ; botocore:dax/2017-04-19#DescribeDefaultParameters",
)
def test_the_default_cache_ttl_is_5_minutes(dax):
    parameters = {p["ParameterName"]: p["ParameterValue"] for p in dax.describe_default_parameters()["Parameters"]}

    assert parameters["record-ttl-millis"] == parameters["query-ttl-millis"] == "300000"  # 5 minutes
