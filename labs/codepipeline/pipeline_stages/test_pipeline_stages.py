"""CodePipeline: stages run in order, each with its actions; artifacts pass between them through S3.

The pipeline here has three stages: Source (a zip in a versioned S3 bucket), Approve (a manual approval) and
Deploy (S3, extracting the zip into a second bucket). An execution stops at the approval until someone answers:
approved, it goes on and the site's files appear in the target bucket; rejected, the execution fails.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from labkit.deploy_tools import service_role
from labkit.errors import error_code
from labkit.eventually import Pace, eventually, retry_while

STRUCTURE_DOCS = "https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-requirements.html"
STRUCTURE_REFERENCE = "https://docs.amazonaws.cn/en_us/codepipeline/latest/userguide/reference-pipeline-structure.md"
APPROVAL_EVIDENCE = (
    "botocore:codepipeline/2015-07-09#PutApprovalResult ; botocore:codepipeline/2015-07-09#GetPipelineState"
)
NOTHING_RUNS = "marks every execution Succeeded at once and has no GetPipelineState or PutApprovalResult: no stage runs"
FINAL = {"Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"}
#: An execution reaching the approval, then its end: 30 s on an emulator, 10 minutes on AWS (polled every 10 s).
PIPELINE_RUN: Pace = {"aws_seconds": 600.0, "emulator_seconds": 30.0, "interval": 10.0}


def action(name, category, provider, configuration=None, inputs=(), outputs=()):
    return {
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": configuration or {},
        "inputArtifacts": [{"name": n} for n in inputs],
        "outputArtifacts": [{"name": n} for n in outputs],
    }


@pytest.fixture
def codepipeline(aws_client):
    return aws_client("codepipeline")


@pytest.fixture
def buckets(aws_client, unique_name):
    """{"source": versioned bucket (also the artifact store), "site": the deploy target}."""
    s3 = aws_client("s3")
    found = {"source": unique_name("pipeline-source"), "site": unique_name("pipeline-site")}
    for bucket in found.values():
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=found["source"], VersioningConfiguration={"Status": "Enabled"})
    return found


@pytest.fixture
def stages(buckets):
    source = {"S3Bucket": buckets["source"], "S3ObjectKey": "site.zip", "PollForSourceChanges": "false"}
    return [
        {"name": "Source", "actions": [action("Source", "Source", "S3", source, outputs=["SourceArtifact"])]},
        {"name": "Approve", "actions": [action("Approve", "Approval", "Manual")]},
        {
            "name": "Deploy",
            "actions": [
                action("Deploy", "Deploy", "S3", {"BucketName": buckets["site"], "Extract": "true"}, ["SourceArtifact"])
            ],
        },
    ]


@pytest.fixture
def make_pipeline(codepipeline, aws_client, unique_name, buckets, backend):
    """make_pipeline(stages) -> the pipeline as stored, with CodePipeline's service role and artifact store."""
    role = service_role(aws_client("iam"), unique_name("pipeline-role"), "codepipeline.amazonaws.com", ["s3:*"])

    def make(stage_list):
        declaration = {
            "name": unique_name("pipeline"),
            "roleArn": role,
            "artifactStore": {"type": "S3", "location": buckets["source"]},
            "stages": stage_list,
        }
        return retry_while(  # AWS refuses a role it cannot assume yet, for a few seconds after it is made
            "InvalidStructureException",
            codepipeline.create_pipeline,
            backend,
            mentions="AssumeRole",
            pipeline=declaration,
        )["pipeline"]

    return make


@pytest.fixture
def started(codepipeline, make_pipeline, stages, aws_client, buckets, backend):
    """(pipeline name, execution id): the site's zip uploaded and an execution started by the test.

    AWS starts a pipeline once when it is created; that run fails at Source (no zip yet) and is waited out
    first, so the test follows only its own execution."""
    name = make_pipeline(stages)["name"]

    def first_run_over():
        found = executions(codepipeline, name)
        return found and all(e["status"] in FINAL for e in found)

    eventually(first_run_over, backend, aws_seconds=600, interval=10)  # an emulator starts none: one look
    site = io.BytesIO()
    with zipfile.ZipFile(site, "w") as archive:
        archive.writestr("index.html", "<h1>deployed by CodePipeline</h1>")
    aws_client("s3").put_object(Bucket=buckets["source"], Key="site.zip", Body=site.getvalue())
    return name, codepipeline.start_pipeline_execution(name=name)["pipelineExecutionId"]


def executions(codepipeline, name):
    return codepipeline.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]


def approval_waiting(codepipeline, name, execution_id):
    """The Approve action's token once this execution waits there, else None."""
    for stage in codepipeline.get_pipeline_state(name=name)["stageStates"]:
        latest = stage.get("latestExecution", {})
        if stage["stageName"] == "Approve" and latest.get("pipelineExecutionId") == execution_id:
            action_state = stage["actionStates"][0].get("latestExecution", {})
            if action_state.get("status") == "InProgress":
                return action_state["token"]
    return None


def answer(codepipeline, name, token, status):
    codepipeline.put_approval_result(
        pipelineName=name,
        stageName="Approve",
        actionName="Approve",
        result={"summary": f"{status} by the lab", "status": status},
        token=token,
    )


def final_status(codepipeline, name, execution_id, backend):
    def look():
        status = codepipeline.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)[
            "pipelineExecution"
        ]["status"]
        return status if status in FINAL else None

    return eventually(look, backend, **PIPELINE_RUN)


# --- structure --------------------------------------------------------------------------------------------------


def test_a_pipeline_needs_at_least_two_stages(make_pipeline, stages):
    assert error_code(make_pipeline, stages[:1]) == "InvalidStructureException"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts a pipeline whose first stage is a manual approval; AWS wants source actions only there",
    evidence=f"{STRUCTURE_DOCS} ; {STRUCTURE_REFERENCE}",
)
def test_the_first_stage_holds_source_actions_only(make_pipeline, stages):
    assert error_code(make_pipeline, [stages[1], stages[0], stages[2]]) == "InvalidStructureException"


def test_each_update_makes_a_new_pipeline_version(codepipeline, make_pipeline, stages):
    pipeline = make_pipeline(stages)
    pipeline["stages"] = [stages[0], stages[2]]  # no approval any more

    updated = codepipeline.update_pipeline(pipeline=pipeline)["pipeline"]

    assert pipeline["version"] == 1
    assert updated["version"] == 2


# --- an execution -----------------------------------------------------------------------------------------------


@pytest.mark.diverges(("moto", "moto-server"), NOTHING_RUNS, evidence=APPROVAL_EVIDENCE)
def test_an_execution_waits_at_the_manual_approval(codepipeline, started, backend):
    name, execution_id = started

    token = eventually(lambda: approval_waiting(codepipeline, name, execution_id), backend, **PIPELINE_RUN)

    assert token is not None
    status = codepipeline.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)
    assert status["pipelineExecution"]["status"] == "InProgress"


@pytest.mark.diverges(("moto", "moto-server"), NOTHING_RUNS, evidence=APPROVAL_EVIDENCE)
def test_an_approved_execution_deploys_the_site_to_the_bucket(codepipeline, started, aws_client, buckets, backend):
    name, execution_id = started
    answer(
        codepipeline,
        name,
        eventually(lambda: approval_waiting(codepipeline, name, execution_id), backend, **PIPELINE_RUN),
        "Approved",
    )

    assert final_status(codepipeline, name, execution_id, backend) == "Succeeded"
    page = aws_client("s3").get_object(Bucket=buckets["site"], Key="index.html")["Body"].read()
    assert page == b"<h1>deployed by CodePipeline</h1>"


@pytest.mark.diverges(("moto", "moto-server"), NOTHING_RUNS, evidence=APPROVAL_EVIDENCE)
def test_a_rejected_approval_fails_the_execution(codepipeline, started, aws_client, buckets, backend):
    name, execution_id = started
    answer(
        codepipeline,
        name,
        eventually(lambda: approval_waiting(codepipeline, name, execution_id), backend, **PIPELINE_RUN),
        "Rejected",
    )

    assert final_status(codepipeline, name, execution_id, backend) == "Failed"
    assert aws_client("s3").list_objects_v2(Bucket=buckets["site"]).get("KeyCount") == 0
