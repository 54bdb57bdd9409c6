"""The note's Fargate demo, as far as the API goes: a cluster, a task definition (FARGATE, awsvpc, a CPU/memory pair
Fargate offers, a task role for the application and an execution role for ECS itself), a task that is
``PROVISIONING`` when RunTask answers and ``RUNNING`` later with its own network interface in the subnet, a stop,
a service that keeps two copies running, and the task definition deregistered."""

from __future__ import annotations

import json

import pytest

from labkit.errors import error_code
from labkit.eventually import waiter_config
from labkit.report import show_table

IMAGE = "public.ecr.aws/nginx/nginx:latest"  # a public image: no registry login needed to pull it
CPU_MEMORY_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html"
TASKS_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/standalone-tasks.html"
EXECUTION_ROLE_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"
REGISTER = "botocore:ecs/2014-11-13#RegisterTaskDefinitionRequest"
EVERY = ("moto", "moto-server", "ministack")
MOTO_RUN = ("moto", "moto-server")
MOTO_RUN_REASON = "RunTask of an awsvpc Fargate task fails inside moto (its network interface has no private DNS name)"
TRUST_ECS_TASKS = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                              "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})  # fmt: skip


def cats(family, **extra):
    """The container of cats as a Fargate task definition: 0.25 vCPU, 512 MiB, one web container on port 80."""
    container = {"name": "cats", "image": IMAGE, "essential": True, "portMappings": [{"containerPort": 80}]}
    container.update(extra.pop("container", {}))
    return {"family": family, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
            "memory": "512", "containerDefinitions": [container], **extra}  # fmt: skip


@pytest.fixture
def task_definition(ecs, unique_name):
    """The registered container of cats (revision 1); its TaskDefinition."""
    return ecs.register_task_definition(**cats(unique_name("cats")))["taskDefinition"]


def on_fargate(net):
    """RunTask/CreateService network settings: the first public subnet, a public IP to pull the image with."""
    return {"awsvpcConfiguration": {"subnets": [net["subnets"][0]], "securityGroups": [net["security_group"]],
                                    "assignPublicIp": "ENABLED"}}  # fmt: skip


def run_cats(ecs, cluster, task_definition, net):
    return ecs.run_task(cluster=cluster, taskDefinition=task_definition["taskDefinitionArn"], launchType="FARGATE",
                        count=1, networkConfiguration=on_fargate(net))  # fmt: skip


def describe_task(ecs, cluster, arn):
    return ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


# --- the task definition -------------------------------------------------------------------------------------------


def test_the_task_definition_is_registered_as_revision_1_and_active(task_definition):
    got = {
        k: task_definition[k] for k in ("revision", "status", "requiresCompatibilities", "networkMode", "cpu", "memory")
    }

    assert got == {"revision": 1, "status": "ACTIVE", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                   "cpu": "256", "memory": "512"}  # fmt: skip


def test_registering_the_family_again_makes_revision_2(ecs, task_definition):
    again = ecs.register_task_definition(**cats(task_definition["family"]))["taskDefinition"]

    assert (again["family"], again["revision"]) == (task_definition["family"], 2)


@pytest.mark.diverges(EVERY, "registers 0.25 vCPU with 4096 MiB; Fargate offers 512-2048 MiB at 0.25 vCPU "
                      "(ClientException)", evidence=f"{CPU_MEMORY_DOC} ; {REGISTER}")  # fmt: skip
def test_a_cpu_memory_pair_fargate_does_not_offer_is_refused(ecs, unique_name):
    code = error_code(ecs.register_task_definition, **{**cats(unique_name("cats")), "memory": "4096"})

    assert code == "ClientException"


@pytest.mark.diverges(EVERY, "registers a FARGATE task definition in bridge mode; Fargate requires awsvpc "
                      "(ClientException)", evidence=REGISTER)  # fmt: skip
def test_fargate_needs_the_awsvpc_network_mode(ecs, unique_name):
    code = error_code(ecs.register_task_definition, **{**cats(unique_name("cats")), "networkMode": "bridge"})

    assert code == "ClientException"


@pytest.fixture
def roles(aws_client, unique_name):
    """Two roles ECS tasks may assume: {"task": arn (for the application), "execution": arn (for ECS itself)}."""
    iam = aws_client("iam")
    return {kind: iam.create_role(RoleName=unique_name(kind), AssumeRolePolicyDocument=TRUST_ECS_TASKS)["Role"]["Arn"]
            for kind in ("task", "execution")}  # fmt: skip


def test_a_task_role_and_an_execution_role_are_accepted_and_stored(ecs, roles, unique_name):
    registered = ecs.register_task_definition(
        **cats(unique_name("cats"), taskRoleArn=roles["task"], executionRoleArn=roles["execution"])
    )["taskDefinition"]

    assert (registered["taskRoleArn"], registered["executionRoleArn"]) == (roles["task"], roles["execution"])


@pytest.mark.diverges(EVERY, "registers a Fargate task that sends its logs with awslogs but has no execution role; "
                      "AWS refuses (ECS itself needs that role to write the logs)",
                      evidence=f"{EXECUTION_ROLE_DOC} ; {REGISTER}")  # fmt: skip
def test_awslogs_on_fargate_needs_an_execution_role(ecs, unique_name, aws_region):
    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/labs/cats", "awslogs-region": aws_region,
                                               "awslogs-stream-prefix": "cats"}}  # fmt: skip

    code = error_code(ecs.register_task_definition, **cats(unique_name("cats"), container={"logConfiguration": logs}))

    assert code == "ClientException"


# --- a task --------------------------------------------------------------------------------------------------------


@pytest.mark.diverges(MOTO_RUN, MOTO_RUN_REASON, evidence=f"{TASKS_DOC} ; botocore:ecs/2014-11-13#RunTask")
@pytest.mark.diverges("ministack", "reports a new task RUNNING at once (without Docker it starts no container); AWS "
                      "answers RunTask with the task still PROVISIONING", evidence=TASKS_DOC)  # fmt: skip
def test_run_task_answers_while_the_task_is_still_provisioning(ecs, cluster, task_definition, net):
    started = run_cats(ecs, cluster, task_definition, net)

    assert started["failures"] == []
    [task] = started["tasks"]
    assert (task["lastStatus"], task["desiredStatus"], task["launchType"]) == ("PROVISIONING", "RUNNING", "FARGATE")


@pytest.mark.diverges(MOTO_RUN, MOTO_RUN_REASON, evidence="botocore:ecs/2014-11-13#RunTask")
def test_the_task_reaches_running(ecs, cluster, task_definition, net, backend):
    arn = run_cats(ecs, cluster, task_definition, net)["tasks"][0]["taskArn"]

    ecs.get_waiter("tasks_running").wait(cluster=cluster, tasks=[arn], WaiterConfig=waiter_config(backend))

    task = describe_task(ecs, cluster, arn)
    show_table("the container of cats", ["task", "last status", "container"],
               [[arn.rsplit("/", 1)[-1], task["lastStatus"], task["containers"][0]["name"]]])  # fmt: skip
    assert (task["lastStatus"], task["containers"][0]["name"]) == ("RUNNING", "cats")


@pytest.mark.diverges(MOTO_RUN, MOTO_RUN_REASON, evidence="botocore:ecs/2014-11-13#RunTask")
@pytest.mark.diverges("ministack", "gives an awsvpc task no network interface attachment; AWS puts one in the subnet",
                      evidence=f"botocore:ecs/2014-11-13#Attachment ; {REGISTER}")  # fmt: skip
def test_an_awsvpc_task_gets_its_own_network_interface_in_the_subnet(ecs, cluster, task_definition, net, backend):
    arn = run_cats(ecs, cluster, task_definition, net)["tasks"][0]["taskArn"]
    ecs.get_waiter("tasks_running").wait(cluster=cluster, tasks=[arn], WaiterConfig=waiter_config(backend))

    attachments = describe_task(ecs, cluster, arn)["attachments"]

    interfaces = [a for a in attachments if a["type"] == "ElasticNetworkInterface"]
    assert len(interfaces) == 1
    details = {d["name"]: d["value"] for d in interfaces[0]["details"]}
    assert details["subnetId"] == net["subnets"][0]


@pytest.mark.diverges(MOTO_RUN, MOTO_RUN_REASON, evidence="botocore:ecs/2014-11-13#RunTask")
def test_a_stopped_task_ends_stopped_by_the_user(ecs, cluster, task_definition, net, backend):
    arn = run_cats(ecs, cluster, task_definition, net)["tasks"][0]["taskArn"]

    ecs.stop_task(cluster=cluster, task=arn, reason="demo over")

    ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[arn], WaiterConfig=waiter_config(backend))
    task = describe_task(ecs, cluster, arn)
    assert (task["lastStatus"], task["desiredStatus"], task["stopCode"]) == ("STOPPED", "STOPPED", "UserInitiated")


# --- a service -------------------------------------------------------------------------------------------------------


@pytest.mark.diverges(MOTO_RUN, "keeps a Fargate service's 2 tasks pending forever (runningCount 0); AWS runs them",
                      evidence="botocore:ecs/2014-11-13#CreateService")  # fmt: skip
def test_a_service_keeps_its_desired_count_of_tasks_running(ecs, cluster, task_definition, net, backend):
    ecs.create_service(cluster=cluster, serviceName="cats", taskDefinition=task_definition["taskDefinitionArn"],
                       desiredCount=2, launchType="FARGATE", networkConfiguration=on_fargate(net))  # fmt: skip

    ecs.get_waiter("services_stable").wait(cluster=cluster, services=["cats"], WaiterConfig=waiter_config(backend))
    service = ecs.describe_services(cluster=cluster, services=["cats"])["services"][0]
    assert (service["desiredCount"], service["runningCount"], service["pendingCount"]) == (2, 2, 0)
    assert len(ecs.list_tasks(cluster=cluster, serviceName="cats")["taskArns"]) == 2


def test_a_deregistered_task_definition_is_inactive(ecs, task_definition):
    ecs.deregister_task_definition(taskDefinition=task_definition["taskDefinitionArn"])

    described = ecs.describe_task_definition(taskDefinition=task_definition["taskDefinitionArn"])["taskDefinition"]
    assert described["status"] == "INACTIVE"
