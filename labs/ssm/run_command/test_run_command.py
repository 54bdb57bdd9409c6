"""SSM Run Command: a document (AWS-RunShellScript) sent to managed instances, chosen by id or by tag, with rate
controls; each instance's invocation moves from Pending to a final status and carries the script's own output.

An EC2 instance is only a *managed* instance once its SSM agent has registered (it needs an instance profile
with AmazonSSMManagedInstanceCore and a route to the SSM endpoint). ``managed`` launches two Amazon Linux
instances with such a profile, tagged ``Role=web`` and ``Role=db``, and waits until SSM lists both as Online.
No emulator here has a managed instance: see the README for what each one does instead.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from labkit.deploy_tools import managed_ids, run_with_profile, ssm_instance_profile
from labkit.errors import error_code
from labkit.eventually import eventually, waiter_config
from labkit.network import amazon_linux_image
from labkit.report import show_table

SHELL = "AWS-RunShellScript"
FINAL = {"Success", "Failed", "Cancelled", "TimedOut"}
COMMAND_DOCS = "https://docs.aws.amazon.com/goto/WebAPI/ssm-2014-11-06/Command"
STATUS_DOCS = "https://docs.aws.amazon.com/ja_jp/systems-manager/latest/userguide/monitor-commands.html"
NO_INSTANCE_INFORMATION = "has no DescribeInstanceInformation, so it cannot say which instances are managed"
FAKES_RUNS = (
    "accepts SendCommand for any instance id, registered or not, and reports Success with empty output at once; "
    "nothing runs"
)
NO_MANAGED_INSTANCE = (
    "treats only instances backed by a Docker container (RegisterImage) as managed; without Docker, none is"
)


def needs_a_managed_instance(evidence):
    """Marks for a test that runs a command on managed instances: no emulator here gets that far."""

    def mark(test):
        test = pytest.mark.diverges(
            ("moto", "moto-server", "localstack"), f"{NO_INSTANCE_INFORMATION}; it {FAKES_RUNS}", evidence=evidence
        )(test)
        return pytest.mark.diverges("ministack", NO_MANAGED_INSTANCE, evidence=evidence)(test)

    return mark


@pytest.fixture
def ec2(aws_client):
    return aws_client("ec2")


@pytest.fixture
def ssm(aws_client):
    return aws_client("ssm")


@pytest.fixture
def plain_instance(ec2):
    """An Amazon Linux instance with no instance profile: its agent has no credentials to register with."""
    instance = ec2.run_instances(ImageId=amazon_linux_image(ec2), InstanceType="t3.micro", MinCount=1, MaxCount=1)
    return instance["Instances"][0]["InstanceId"]


@pytest.fixture
def managed(ec2, ssm, aws_client, unique_name, backend):
    """{"web": id, "db": id, "lab": tag value}: two instances SSM lists as Online, tagged Role and Lab."""
    managed_ids(ssm, ["i-00000000000000000"])  # can this backend tell which instances are managed at all?
    profile = ssm_instance_profile(aws_client("iam"), unique_name("ssm-agent"))
    lab = unique_name("run-command")
    found = {"lab": lab}
    for role in ("web", "db"):
        tags = [{"Key": "Role", "Value": role}, {"Key": "Lab", "Value": lab}]
        found[role] = run_with_profile(
            ec2,
            backend,
            profile,
            ImageId=amazon_linux_image(ec2),
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
        )[0]
    ids = [found["web"], found["db"]]
    ec2.get_waiter("instance_running").wait(
        InstanceIds=ids, WaiterConfig=waiter_config(backend, aws_seconds=5 * 60, emulator_seconds=30, interval=5)
    )
    online = eventually(lambda: managed_ids(ssm, ids) == set(ids), backend, aws_seconds=600, interval=10)
    assert online, "the instances' SSM agents never registered"
    return found


def shell(ssm, script, **where):
    """SendCommand with AWS-RunShellScript; the Command it answers with."""
    return ssm.send_command(DocumentName=SHELL, Parameters={"commands": script}, **where)["Command"]


def statuses_until_final(ssm, command_id, instance_id, backend):
    """Every invocation status seen, in order (repeats dropped), until a final one: polled (30 s on an emulator,
    5 min on AWS), as SendCommand answers before anything has run."""
    seen = []
    deadline = time.monotonic() + (30 if backend.is_emulator else 300)
    while time.monotonic() < deadline:
        try:
            status = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)["Status"]
        except ClientError as exc:  # AWS may not know the invocation for a moment after SendCommand
            if exc.response["Error"]["Code"] != "InvocationDoesNotExist":
                raise
            status = None
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        if status in FINAL:
            break
        time.sleep(1 if backend.is_emulator else 2)
    return seen


# --- what an instance must be before Run Command can reach it --------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    NO_INSTANCE_INFORMATION,
    evidence="botocore:ssm/2014-11-06#DescribeInstanceInformation",
)
def test_an_instance_without_a_registered_agent_is_not_a_managed_instance(ssm, plain_instance):
    assert managed_ids(ssm, [plain_instance]) == set()


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"), FAKES_RUNS, evidence="botocore:ssm/2014-11-06#InvalidInstanceId"
)
def test_send_command_to_an_instance_that_is_not_managed_is_refused(ssm, plain_instance):
    code = error_code(shell, ssm, ["echo hello"], InstanceIds=[plain_instance])

    assert code == "InvalidInstanceId"


# --- running a command on managed instances ---------------------------------------------------------------------


@needs_a_managed_instance(f"{STATUS_DOCS} ; botocore:ssm/2014-11-06#CommandInvocationStatus")
def test_a_command_is_pending_before_it_succeeds(ssm, managed, backend):
    command = shell(ssm, ["echo hello"], InstanceIds=[managed["web"]])

    seen = statuses_until_final(ssm, command["CommandId"], managed["web"], backend)
    show_table("invocation status", ["seen"], [[status] for status in seen])
    assert command["Status"] == "Pending"  # SendCommand answers before any agent has the command
    assert seen[-1] == "Success"
    assert set(seen[:-1]) <= {"Pending", "InProgress", "Delayed"}


@needs_a_managed_instance(f"{COMMAND_DOCS} ; botocore:ssm/2014-11-06#GetCommandInvocationResult")
def test_the_invocation_carries_the_output_of_a_real_shell(ssm, managed, backend):
    command = shell(ssm, ["echo $((6 * 7))"], InstanceIds=[managed["web"]])
    ssm.get_waiter("command_executed").wait(
        CommandId=command["CommandId"],
        InstanceId=managed["web"],
        WaiterConfig=waiter_config(backend, aws_seconds=5 * 60, emulator_seconds=30, interval=5),
    )

    invocation = ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=managed["web"])
    assert invocation["StandardOutputContent"] == "42\n"  # the shell did the arithmetic
    assert invocation["ResponseCode"] == 0


@needs_a_managed_instance(f"{STATUS_DOCS} ; botocore:ssm/2014-11-06#GetCommandInvocationResult")
def test_a_script_that_exits_non_zero_fails_with_its_exit_code(ssm, managed, backend):
    command = shell(ssm, ["echo about to fail", "exit 3"], InstanceIds=[managed["db"]])

    seen = statuses_until_final(ssm, command["CommandId"], managed["db"], backend)
    invocation = ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=managed["db"])
    assert seen[-1] == "Failed"
    assert invocation["ResponseCode"] == 3


@needs_a_managed_instance("botocore:ssm/2014-11-06#Target ; botocore:ssm/2014-11-06#ListCommandInvocations")
def test_targets_by_tag_reach_only_the_tagged_instances(ssm, managed, backend):
    command = shell(ssm, ["hostname"], Targets=[{"Key": "tag:Role", "Values": ["web"]}])

    def invoked():
        return {
            i["InstanceId"] for i in ssm.list_command_invocations(CommandId=command["CommandId"])["CommandInvocations"]
        }

    reached = eventually(lambda: invoked() or None, backend, aws_seconds=120)
    assert reached == {managed["web"]}


@needs_a_managed_instance(f"{COMMAND_DOCS} ; botocore:ssm/2014-11-06#SendCommandRequest")
def test_max_errors_zero_stops_sending_after_the_first_failure(ssm, managed, backend):
    command = shell(
        ssm, ["exit 1"], Targets=[{"Key": "tag:Lab", "Values": [managed["lab"]]}], MaxConcurrency="1", MaxErrors="0"
    )

    def settled():
        found = ssm.list_commands(CommandId=command["CommandId"])["Commands"][0]
        return found if found["Status"] in FINAL else None

    final = eventually(settled, backend, aws_seconds=300, interval=5)
    assert final is not None and final["Status"] == "Failed"
    assert final["ErrorCount"] == 1  # one instance at a time: the second never ran the failing script
