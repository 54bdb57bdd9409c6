"""Placement groups tell EC2 how to place a set of instances: ``cluster`` packs them into one Availability Zone,
``spread`` puts each on its own rack (at most seven running per zone), ``partition`` splits them into up to seven
partitions per zone that share no racks. An instance launched into a group says so in DescribeInstances."""

from __future__ import annotations

import pytest

from labkit.compute import refused
from labkit.errors import error_code
from labkit.eventually import NETWORK_CHANGE, TRANSITION, eventually, waiter_config
from labkit.network import amazon_linux_image, describe_instance, launch
from labkit.report import show_table

PLACEMENT = "botocore:ec2/2016-11-15#Placement"
CREATE_GROUP = "botocore:ec2/2016-11-15#CreatePlacementGroup"
CREATE_DOC = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-placement-group.html"
LIMITS_DOC = "https://docs.amazonaws.cn/en_us/AWSEC2/latest/UserGuide/limitations-placement-groups.html"
SPREAD_DOC = "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.PlacementGroupSpreadLevel.html"
#: moto has no placement groups (in process it raises NotImplementedError, as a server it answers 500); host
#: LocalStack answers 501 InternalFailure "not implemented".
NO_GROUPS = pytest.mark.diverges(
    ("moto", "moto-server", "localstack"), "does not implement CreatePlacementGroup", evidence=CREATE_GROUP
)
IGNORES_PLACEMENT = "launches the instance without its placement (DescribeInstances shows no group)"
#: Cluster placement groups take current-generation instances but not burstable ones (T2, T3...): c5.large is one.
CLUSTER_TYPE = "c5.large"


@pytest.fixture
def placement_group(ec2, unique_name, backend):
    """``placement_group("spread", PartitionCount=...)``: a new placement group's name. Where state is kept, its
    instances are terminated and the group deleted after the test (the harness's tracker does not know placement
    groups, and a group is deleted only once its instances are gone)."""
    made = []

    def create(strategy, **extra):
        name = unique_name(f"pg-{strategy}")
        ec2.create_placement_group(GroupName=name, Strategy=strategy, **extra)
        made.append(name)
        return name

    yield create
    if backend.track_resources:
        for name in made:
            remove_group(ec2, backend, name)


def remove_group(ec2, backend, name):
    """Terminate the group's instances, wait for them to be gone, then delete the group."""
    found = ec2.describe_instances(Filters=[{"Name": "placement-group-name", "Values": [name]}])["Reservations"]
    inside = [i["InstanceId"] for r in found for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    if inside:
        ec2.terminate_instances(InstanceIds=inside)
        ec2.get_waiter("instance_terminated").wait(
            InstanceIds=inside, WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
        )
    ec2.delete_placement_group(GroupName=name)


def described(ec2, name):
    return ec2.describe_placement_groups(GroupNames=[name])["PlacementGroups"][0]


def run_into(ec2, backend, subnet, count, placement, instance_type="t3.micro"):
    """RunInstances of ``count`` instances into the subnet with this ``Placement``; their ids, once running."""
    reservation = ec2.run_instances(ImageId=amazon_linux_image(ec2), InstanceType=instance_type, MinCount=count,
                                    MaxCount=count, SubnetId=subnet, Placement=placement)  # fmt: skip
    ids = [i["InstanceId"] for i in reservation["Instances"]]
    ec2.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig=waiter_config(backend, **NETWORK_CHANGE))
    return ids


# --- the three strategies -----------------------------------------------------------------------------------------


@NO_GROUPS
@pytest.mark.parametrize("strategy", ["cluster", "spread", "partition"])
def test_a_placement_group_is_created_with_its_strategy(ec2, placement_group, strategy, backend):
    name = placement_group(strategy)

    def available():
        found = described(ec2, name)
        return found if found["State"] == "available" else None

    group = eventually(available, backend, **TRANSITION) or described(ec2, name)
    show_table("placement group", ["name", "strategy", "state"], [[name, group["Strategy"], group["State"]]])
    assert (group["GroupName"], group["Strategy"], group["State"]) == (name, strategy, "available")


@NO_GROUPS
@pytest.mark.diverges("ministack", "creates a partition placement group of 8 partitions; AWS allows up to 7 per zone",
                      evidence=f"{LIMITS_DOC} ; {CREATE_DOC}")  # fmt: skip
def test_a_partition_group_takes_at_most_seven_partitions(ec2, placement_group):
    seven = placement_group("partition", PartitionCount=7)

    assert described(ec2, seven)["PartitionCount"] == 7
    assert refused(error_code(placement_group, "partition", PartitionCount=8))


# --- instances in a group -----------------------------------------------------------------------------------------


def placement_of(ec2, instance_id):
    placement = describe_instance(ec2, instance_id)["Placement"]
    show_table("DescribeInstances Placement", ["instance", "zone", "group", "partition"],
               [[instance_id, placement["AvailabilityZone"], placement.get("GroupName", "-"),
                 placement.get("PartitionNumber", "-")]])  # fmt: skip
    return placement


@NO_GROUPS
@pytest.mark.diverges("ministack", IGNORES_PLACEMENT, evidence=PLACEMENT)
def test_an_instance_launched_into_a_group_reports_the_group(ec2, two_zones, placement_group, backend):
    name = placement_group("spread")

    instance = launch(ec2, two_zones["a"]["SubnetId"], Placement={"GroupName": name}, backend=backend)["InstanceId"]

    assert placement_of(ec2, instance).get("GroupName") == name


@NO_GROUPS
@pytest.mark.diverges("ministack", IGNORES_PLACEMENT, evidence=PLACEMENT)
def test_an_instance_launched_into_a_partition_reports_its_partition_number(ec2, two_zones, placement_group, backend):
    name = placement_group("partition", PartitionCount=3)

    instance = launch(
        ec2, two_zones["a"]["SubnetId"], Placement={"GroupName": name, "PartitionNumber": 2}, backend=backend
    )

    placement = placement_of(ec2, instance["InstanceId"])
    assert (placement.get("GroupName"), placement.get("PartitionNumber")) == (name, 2)


@NO_GROUPS
@pytest.mark.diverges("ministack", "launches an eighth instance into a spread group in one zone; AWS runs at most "
                      "seven per zone", evidence=f"{LIMITS_DOC} ; {SPREAD_DOC}")  # fmt: skip
def test_a_spread_group_runs_at_most_seven_instances_per_zone(ec2, two_zones, placement_group, backend):
    name = placement_group("spread")
    first_zone, second_zone = two_zones["a"]["SubnetId"], two_zones["b"]["SubnetId"]
    run_into(ec2, backend, first_zone, 7, {"GroupName": name})

    eighth_here = error_code(run_into, ec2, backend, first_zone, 1, {"GroupName": name})
    eighth_elsewhere = error_code(run_into, ec2, backend, second_zone, 1, {"GroupName": name})

    show_table("an eighth instance", ["zone", "RunInstances"], [["first (7 running)", eighth_here],
                                                                  ["second (none)", eighth_elsewhere]])  # fmt: skip
    assert refused(eighth_here)
    assert eighth_elsewhere == "allowed"  # the limit is per zone: the group spans zones


@NO_GROUPS
@pytest.mark.diverges("ministack", "launches a cluster group's instances in two zones; AWS keeps a cluster group in "
                      "the zone of its first instance", evidence=f"{CREATE_GROUP} ; {LIMITS_DOC}")  # fmt: skip
def test_a_cluster_group_keeps_its_instances_in_one_zone(ec2, two_zones, placement_group, backend):
    name = placement_group("cluster")
    run_into(ec2, backend, two_zones["a"]["SubnetId"], 1, {"GroupName": name}, CLUSTER_TYPE)

    code = error_code(run_into, ec2, backend, two_zones["b"]["SubnetId"], 1, {"GroupName": name}, CLUSTER_TYPE)

    assert refused(code)
