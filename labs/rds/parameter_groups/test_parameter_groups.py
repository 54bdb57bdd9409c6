"""A custom DB parameter group starts from the engine's defaults; each parameter says whether it is ``dynamic``
(``ApplyMethod`` ``immediate`` allowed) or ``static`` (only ``pending-reboot``). An instance moved to another group
reports ``pending-reboot`` until it is rebooted, then ``in-sync``."""

from __future__ import annotations

import pytest

from labkit.compute import describe_db, refused, wait_for_db
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

FAMILY = "postgres16"
DYNAMIC, STATIC = "log_min_duration_statement", "shared_buffers"  # PostgreSQL: log setting; memory set at start
MODIFY_GROUP = "botocore:rds/2014-10-31#ModifyDBParameterGroupMessage"
MOVE_GROUP = "botocore:rds/2014-10-31#ModifyDBInstanceMessage ; botocore:rds/2014-10-31#DBParameterGroupStatus"


@pytest.fixture
def new_group(rds, unique_name):
    """``new_group(family)``: a custom DB parameter group; returns its name."""

    def make(family: str = FAMILY) -> str:
        name = unique_name("params")
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description="lab")
        return name

    return make


def parameters(rds, group, **extra):
    """Every parameter of the group, by name (DescribeDBParameters pages through hundreds on AWS)."""
    pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group, **extra)
    return {p["ParameterName"]: p for page in pages for p in page["Parameters"]}


def set_parameter(rds, group, name, value, method):
    return error_code(rds.modify_db_parameter_group, DBParameterGroupName=group,
                      Parameters=[{"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}])  # fmt: skip


def test_a_new_custom_group_has_no_parameter_set_by_the_user(rds, new_group):
    assert parameters(rds, new_group(), Source="user") == {}


@pytest.mark.diverges(
    ("moto", "moto-server"), "lists no parameters for a new group; AWS lists the engine's, each with its ApplyType",
    evidence="botocore:rds/2014-10-31#DescribeDBParameters ; botocore:rds/2014-10-31#Parameter",
)  # fmt: skip
def test_a_new_custom_group_lists_the_engines_parameters_dynamic_or_static(rds, new_group):
    found = parameters(rds, new_group())

    rows = [[n, found[n].get("ParameterValue", "-"), found[n]["ApplyType"]] for n in (DYNAMIC, STATIC)]
    show_table(f"{FAMILY}: {len(found)} parameters", ["parameter", "value", "apply type"], rows)
    assert (found[DYNAMIC]["ApplyType"], found[STATIC]["ApplyType"]) == ("dynamic", "static")


def test_a_dynamic_parameter_applied_immediately_is_accepted_and_stored(rds, new_group):
    group = new_group()

    assert set_parameter(rds, group, DYNAMIC, "500", "immediate") == "allowed"

    stored = parameters(rds, group, Source="user")[DYNAMIC]
    assert (stored["ParameterValue"], stored["ApplyMethod"]) == ("500", "immediate")


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"), "accepts ApplyMethod immediate for a static parameter; AWS allows only "
    "pending-reboot there", evidence=MODIFY_GROUP,
)  # fmt: skip
def test_a_static_parameter_cannot_be_applied_immediately(rds, new_group):
    # Documented ("immediate ... with dynamic parameters only"); the error code is not, so the refusal is asserted.
    assert refused(set_parameter(rds, new_group(), STATIC, "16384", "immediate"))


def test_a_static_parameter_applied_at_the_next_reboot_is_accepted_and_stored(rds, new_group):
    group = new_group()

    assert set_parameter(rds, group, STATIC, "16384", "pending-reboot") == "allowed"

    stored = parameters(rds, group, Source="user")[STATIC]
    assert (stored["ParameterValue"], stored["ApplyMethod"]) == ("16384", "pending-reboot")


# --- moving an instance to another group ------------------------------------------------------------------------


def apply_status(rds, name):
    group = describe_db(rds, name)["DBParameterGroups"][0]
    return group["DBParameterGroupName"], group["ParameterApplyStatus"]


@pytest.fixture
def moved(rds, plain_db, new_group, backend):
    """The instance, moved to a new custom group of its own family (ApplyImmediately); returns (instance, group)."""
    name = plain_db["DBInstanceIdentifier"]
    family = plain_db["DBParameterGroups"][0]["DBParameterGroupName"].removeprefix("default.")
    group = new_group(family)
    rds.modify_db_instance(DBInstanceIdentifier=name, DBParameterGroupName=group, ApplyImmediately=True)
    wait_for_db(rds, name, backend)
    return name, group


@pytest.mark.diverges(("moto", "moto-server"), "reports the new group in-sync at once; AWS waits for a reboot",
                      evidence=MOVE_GROUP)  # fmt: skip
@pytest.mark.diverges("ministack", "reports the new group applying, never pending-reboot", evidence=MOVE_GROUP)
def test_an_instance_moved_to_another_group_waits_for_a_reboot(rds, moved, backend):
    name, group = moved

    status = eventually(lambda: apply_status(rds, name)[1] == "pending-reboot", backend, **TRANSITION)

    assert status, f"ParameterApplyStatus is {apply_status(rds, name)[1]}"
    assert apply_status(rds, name) == (group, "pending-reboot")


@pytest.mark.diverges("ministack", "still reports the new group applying after a reboot; AWS: in-sync",
                      evidence=MOVE_GROUP)  # fmt: skip
def test_a_reboot_brings_the_instance_in_sync_with_its_new_group(rds, moved, backend):
    name, group = moved
    eventually(lambda: apply_status(rds, name)[1] == "pending-reboot", backend, **TRANSITION)

    rds.reboot_db_instance(DBInstanceIdentifier=name)

    wait_for_db(rds, name, backend)
    eventually(lambda: apply_status(rds, name)[1] == "in-sync", backend, **TRANSITION)
    assert apply_status(rds, name) == (group, "in-sync")
