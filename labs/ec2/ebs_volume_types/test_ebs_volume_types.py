"""EBS volume types and what each allows: gp2's IOPS follow its size, gp3 starts at a fixed baseline, io1 and io2
are provisioned and can attach to several instances at once, st1 and sc1 are hard disks that cannot boot an
instance, and every type has a size range (and the SSD types an IOPS range) that CreateVolume enforces."""

from __future__ import annotations

import pytest

from labkit.compute import refused
from labkit.errors import error_code
from labkit.eventually import NETWORK_CHANGE, TRANSITION, eventually, waiter_config
from labkit.network import amazon_linux_image, launch
from labkit.report import show_table

CREATE_VOLUME = "botocore:ec2/2016-11-15#CreateVolumeRequest"
MODIFY_VOLUME = "botocore:ec2/2016-11-15#ModifyVolumeRequest"
GP2_IOPS = "https://aws.amazon.com/jp/premiumsupport/knowledge-center/rds-low-burst-balance/"
EVERY = ("moto", "moto-server", "ministack", "localstack")
DEVICE = "/dev/sdf"


def created(ec2, backend, zone, **params):
    """CreateVolume in ``zone``, waited for until ``available`` (AWS answers ``creating``), as DescribeVolumes shows
    it."""
    volume_id = ec2.create_volume(AvailabilityZone=zone, **params)["VolumeId"]
    ec2.get_waiter("volume_available").wait(
        VolumeIds=[volume_id], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    return ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]


def show_volume(volume):
    show_table("the volume", ["type", "GiB", "IOPS", "MiB/s", "multi-attach", "attachments"],
               [[volume["VolumeType"], volume["Size"], volume.get("Iops", "-"), volume.get("Throughput", "-"),
                 volume.get("MultiAttachEnabled", "-"), len(volume.get("Attachments", []))]])  # fmt: skip


@pytest.fixture
def zone(two_zones):
    return two_zones["zones"][0]


# --- defaults ---------------------------------------------------------------------------------------------------


def test_a_volume_created_without_a_type_is_gp2(ec2, zone, backend):
    volume = created(ec2, backend, zone, Size=10)

    assert (volume["VolumeType"], volume["Size"]) == ("gp2", 10)


@pytest.mark.diverges(EVERY, "reports no IOPS for a gp2 volume; AWS reports its baseline, 3 per GiB from 100 to 16,000",
                      evidence=f"{GP2_IOPS} ; botocore:ec2/2016-11-15#Volume")  # fmt: skip
@pytest.mark.parametrize(("size", "iops"), [(10, 100), (100, 300), (1000, 3000), (5334, 16000)],
                         ids=["10GiB-floor", "100GiB", "1000GiB", "5334GiB-ceiling"])  # fmt: skip
def test_a_gp2_volume_gets_3_iops_per_gib_between_100_and_16000(ec2, zone, size, iops, backend):
    volume = created(ec2, backend, zone, Size=size, VolumeType="gp2")
    show_volume(volume)

    assert volume.get("Iops") == iops


@pytest.mark.diverges(EVERY, "reports no throughput for a new gp3 volume; AWS reports its 125 MiB/s baseline",
                      evidence=f"{CREATE_VOLUME} ; {MODIFY_VOLUME}")  # fmt: skip
def test_a_10_gib_gp3_volume_has_the_3000_iops_and_125_mibs_baseline(ec2, zone, backend):
    volume = created(ec2, backend, zone, Size=10, VolumeType="gp3")
    show_volume(volume)

    assert (volume.get("Iops"), volume.get("Throughput")) == (3000, 125)


# --- each type's limits -------------------------------------------------------------------------------------------

#: One step past a limit of CreateVolume's valid ranges (botocore's CreateVolumeRequest: Size, Iops, Throughput).
PAST_A_LIMIT = [
    pytest.param({"VolumeType": "gp2", "Size": 16385}, id="gp2-16385GiB"),
    pytest.param({"VolumeType": "gp3", "Size": 65537}, id="gp3-65537GiB"),
    pytest.param({"VolumeType": "io1", "Size": 16385, "Iops": 100}, id="io1-16385GiB"),
    pytest.param({"VolumeType": "io1", "Size": 3, "Iops": 100}, id="io1-3GiB"),
    pytest.param({"VolumeType": "io2", "Size": 65537, "Iops": 100}, id="io2-65537GiB"),
    pytest.param({"VolumeType": "io2", "Size": 3, "Iops": 100}, id="io2-3GiB"),
    pytest.param({"VolumeType": "st1", "Size": 124}, id="st1-124GiB"),
    pytest.param({"VolumeType": "st1", "Size": 16385}, id="st1-16385GiB"),
    pytest.param({"VolumeType": "sc1", "Size": 124}, id="sc1-124GiB"),
    pytest.param({"VolumeType": "sc1", "Size": 16385}, id="sc1-16385GiB"),
    pytest.param({"VolumeType": "standard", "Size": 1025}, id="standard-1025GiB"),
    pytest.param({"VolumeType": "io1", "Size": 10, "Iops": 99}, id="io1-99IOPS"),
    pytest.param({"VolumeType": "io1", "Size": 2000, "Iops": 64001}, id="io1-64001IOPS"),
    pytest.param({"VolumeType": "io2", "Size": 1000, "Iops": 256001}, id="io2-256001IOPS"),
    pytest.param({"VolumeType": "gp3", "Size": 200, "Iops": 80001}, id="gp3-80001IOPS"),
    pytest.param({"VolumeType": "gp3", "Size": 200, "Iops": 10000, "Throughput": 2001}, id="gp3-2001MiBs"),
]


@pytest.mark.diverges(EVERY, "creates the volume; AWS refuses a size, IOPS or throughput outside the type's range",
                      evidence=CREATE_VOLUME)  # fmt: skip
@pytest.mark.parametrize("params", PAST_A_LIMIT)
def test_a_volume_one_step_past_its_types_limits_is_refused(ec2, zone, params):
    code = error_code(ec2.create_volume, AvailabilityZone=zone, **params)
    show_table("CreateVolume", ["request", "answer"], [[params, code]])

    assert refused(code)


@pytest.mark.diverges("ministack", "creates an io1 volume without IOPS; AWS requires them for io1 and io2",
                      evidence=CREATE_VOLUME)  # fmt: skip
def test_an_io1_volume_without_provisioned_iops_is_refused(ec2, zone):
    assert refused(error_code(ec2.create_volume, AvailabilityZone=zone, Size=10, VolumeType="io1"))


# --- resizing -----------------------------------------------------------------------------------------------------


def modification_state(ec2, volume_id):
    found = ec2.describe_volumes_modifications(VolumeIds=[volume_id])["VolumesModifications"]
    return found[0]["ModificationState"] if found else None


def test_a_volume_grows_in_place(ec2, zone, backend):
    volume = created(ec2, backend, zone, Size=10, VolumeType="gp3")

    ec2.modify_volume(VolumeId=volume["VolumeId"], Size=20)

    # AWS: modifying, then optimizing (the new size is usable), then completed, hours later for a big volume
    state = eventually(
        lambda: modification_state(ec2, volume["VolumeId"]) in ("optimizing", "completed"), backend, **TRANSITION
    )
    assert state, modification_state(ec2, volume["VolumeId"])
    assert ec2.describe_volumes(VolumeIds=[volume["VolumeId"]])["Volumes"][0]["Size"] == 20


@pytest.mark.diverges(EVERY, "shrinks the volume; AWS only lets a volume grow",
                      evidence=f"{MODIFY_VOLUME} ; botocore:ec2/2016-11-15#ModifyVolume")  # fmt: skip
def test_a_volume_cannot_shrink(ec2, zone, backend):
    volume = created(ec2, backend, zone, Size=20, VolumeType="gp3")

    assert refused(error_code(ec2.modify_volume, VolumeId=volume["VolumeId"], Size=10))


# --- attaching ----------------------------------------------------------------------------------------------------


@pytest.fixture
def two_instances(ec2, two_zones, backend):
    """Two running t3.micro instances (Nitro) in the first zone."""
    return [launch(ec2, two_zones["a"]["SubnetId"], backend=backend)["InstanceId"] for _ in range(2)]


def attached_to(ec2, volume_id, backend, count):
    """The instances the volume is attached to, once ``count`` attachments report ``attached`` (AWS answers
    AttachVolume with ``attaching``)."""

    def check():
        found = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        done = sorted(a["InstanceId"] for a in found.get("Attachments", []) if a["State"] == "attached")
        return done if len(done) >= count else None

    return eventually(check, backend, **TRANSITION) or sorted(
        a["InstanceId"] for a in ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0].get("Attachments", [])
    )


@pytest.mark.diverges(EVERY, "keeps one attachment per volume (the second replaces the first); AWS attaches a "
                      "Multi-Attach io1/io2 volume to up to 16 instances in its zone",
                      evidence=CREATE_VOLUME)  # fmt: skip
def test_a_multi_attach_io2_volume_attaches_to_two_instances_at_once(ec2, zone, two_instances, backend):
    volume = created(ec2, backend, zone, Size=10, VolumeType="io2", Iops=100, MultiAttachEnabled=True)

    for instance in two_instances:
        ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance, Device=DEVICE)

    assert attached_to(ec2, volume["VolumeId"], backend, 2) == sorted(two_instances)


@pytest.mark.diverges(EVERY, "attaches a volume that is already in use to a second instance; AWS refuses it "
                      "unless the volume has Multi-Attach", evidence=CREATE_VOLUME)  # fmt: skip
def test_a_volume_without_multi_attach_serves_one_instance(ec2, zone, two_instances, backend):
    volume = created(ec2, backend, zone, Size=10, VolumeType="gp3")
    ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=two_instances[0], Device=DEVICE)
    attached_to(ec2, volume["VolumeId"], backend, 1)

    code = error_code(ec2.attach_volume, VolumeId=volume["VolumeId"], InstanceId=two_instances[1], Device=DEVICE)

    assert refused(code)


@pytest.mark.diverges("ministack", "creates a gp3 volume asked for with Multi-Attach (and reports it off); AWS "
                      "offers Multi-Attach on io1 and io2 only", evidence=CREATE_VOLUME)  # fmt: skip
def test_multi_attach_is_refused_for_a_gp3_volume(ec2, zone):
    code = error_code(ec2.create_volume, AvailabilityZone=zone, Size=10, VolumeType="gp3", MultiAttachEnabled=True)

    assert refused(code)


@pytest.mark.diverges(EVERY, "launches an instance whose root volume is an HDD (st1, sc1); AWS cannot boot from one",
                      evidence=CREATE_VOLUME)  # fmt: skip
@pytest.mark.parametrize("hdd", ["st1", "sc1"])
def test_an_hdd_volume_cannot_be_a_boot_volume(ec2, two_zones, hdd):
    image = ec2.describe_images(ImageIds=[amazon_linux_image(ec2)])["Images"][0]
    root = {"DeviceName": image["RootDeviceName"], "Ebs": {"VolumeType": hdd, "VolumeSize": 125}}

    code = error_code(ec2.run_instances, ImageId=image["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1,
                      SubnetId=two_zones["a"]["SubnetId"], BlockDeviceMappings=[root])  # fmt: skip

    assert refused(code)
