"""An EBS volume exists in one availability zone and attaches only to instances there. To move it, snapshot it
(the snapshot is regional) and create a new volume from the snapshot in the other zone. Volumes start as
``creating`` and snapshots as ``pending``: both are waited for."""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.eventually import NETWORK_CHANGE, waiter_config
from labkit.network import launch

EBS_ERRORS = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"


def new_volume(ec2, backend, zone, **extra):
    """A volume (1 GiB unless a size or a snapshot says otherwise), waited for until ``available``."""
    if "SnapshotId" not in extra:
        extra.setdefault("Size", 1)
    volume = ec2.create_volume(AvailabilityZone=zone, **extra)["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[volume], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE))
    return ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0]


def test_a_new_volume_becomes_available_in_the_zone_it_was_created_in(ec2, two_zones, backend):
    volume = new_volume(ec2, backend, two_zones["zones"][0], Size=2)

    assert (volume["State"], volume["AvailabilityZone"], volume["Size"]) == ("available", two_zones["zones"][0], 2)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "attaches a volume to an instance in another zone; AWS: InvalidVolume.ZoneMismatch",
    evidence=EBS_ERRORS,
)
def test_a_volume_cannot_attach_to_an_instance_in_another_zone(ec2, two_zones, backend):
    instance = launch(ec2, two_zones["a"]["SubnetId"], backend=backend)["InstanceId"]  # first zone
    volume = new_volume(ec2, backend, two_zones["zones"][1])  # second zone

    code = error_code(ec2.attach_volume, VolumeId=volume["VolumeId"], InstanceId=instance, Device="/dev/sdf")

    assert code == "InvalidVolume.ZoneMismatch"


@pytest.mark.diverges(
    "ministack",
    "restores a 1 GiB snapshot as an 8 GiB volume; AWS restores the snapshot's size",
    evidence="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html",
)
def test_a_snapshot_restores_the_volume_in_another_zone(ec2, two_zones, backend):
    first, second = two_zones["zones"]
    original = new_volume(ec2, backend, first)
    snapshot = ec2.create_snapshot(VolumeId=original["VolumeId"], Description="move to the other zone")["SnapshotId"]
    ec2.get_waiter("snapshot_completed").wait(
        SnapshotIds=[snapshot], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )

    restored = new_volume(ec2, backend, second, SnapshotId=snapshot)

    assert ec2.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"][0]["State"] == "completed"
    assert (restored["AvailabilityZone"], restored["SnapshotId"]) == (second, snapshot)
    assert restored["Size"] == original["Size"]  # the volume's size, unless a larger one is asked for
