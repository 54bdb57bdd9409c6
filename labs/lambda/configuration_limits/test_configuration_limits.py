"""A function's memory, timeout, /tmp size and environment variables: the defaults CreateFunction fills in, the
limits AWS allows, and what one step past each limit gets back. Nothing runs: the values are only configured.

Below a limit the botocore model declares (MemorySize min 128, Timeout min 1, EphemeralStorage Size min 512)
botocore itself refuses the call before sending it; the client here sends it anyway
(``parameter_validation=False``) so the service's own answer is what the test sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit.lambda_runtime import create_role, package

HERE = Path(__file__).parent
QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
TIMEOUT_PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
ENV_TOO_BIG = "localstack/localstack:tests/aws/services/lambda_/test_lambda_api.snapshot.json"
ENV_MESSAGE = (
    "Lambda was unable to configure your environment variables because the environment variables you have "
    "provided exceeded the 4KB limit."
)
# Below a model minimum AWS answers ValidationException, as recorded for provisionedConcurrentExecutions.
MODEL_MIN = f"{ENV_TOO_BIG}#test_provisioned_concurrency_exceptions"


@pytest.fixture
def lam(aws_client):
    """A Lambda client that sends values botocore's own validation would stop."""
    return aws_client("lambda", config=Config(parameter_validation=False))


@pytest.fixture
def create(lam, aws_client, unique_name):
    """``create(**settings)``: CreateFunction with these settings; returns the function's configuration."""
    role = create_role(aws_client("iam"), unique_name("limits-role"))
    zipped = package([HERE / "handler.py"])

    def make(**settings):
        return lam.create_function(
            FunctionName=unique_name("limits"),
            Runtime="python3.12",
            Role=role,
            Handler="handler.lambda_handler",
            Code={"ZipFile": zipped},
            **settings,
        )

    return make


def refusal(call, **settings):
    """The ClientError ``call(**settings)`` fails with (the test fails if it succeeds)."""
    with pytest.raises(ClientError) as refused:
        call(**settings)
    return refused.value.response


def env_of_size(size):
    """Environment variables whose JSON form, ``{"V":"xxx..."}``, is exactly ``size`` bytes (how Lambda measures)."""
    variables = {"V": "x" * (size - len('{"V":""}'))}
    assert len(json.dumps(variables, separators=(",", ":")).encode()) == size
    return variables


def test_a_new_function_gets_128_mb_3_seconds_and_512_mb_of_tmp_by_default(create):
    function = create()

    assert (function["MemorySize"], function["Timeout"], function["EphemeralStorage"]["Size"]) == (128, 3, 512)


def test_memory_can_be_any_whole_number_of_mb_from_128_to_10240(create):
    sizes = [create(MemorySize=size)["MemorySize"] for size in (128, 130, 10240)]

    assert sizes == [128, 130, 10240]  # 130: steps of 1 MB, not the note's 64 MB


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with 127 MB; AWS refuses it",
    evidence=f"botocore:lambda/2015-03-31#MemorySize ; {MODEL_MIN}",
)
def test_127_mb_of_memory_is_refused(create):
    error = refusal(create, MemorySize=127)["Error"]

    assert error["Code"] == "ValidationException"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with 10,241 MB; AWS refuses it",
    evidence=QUOTAS,
)
def test_10241_mb_of_memory_is_refused(create):
    response = refusal(create, MemorySize=10241)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_timeout_of_900_seconds_is_accepted(create):
    assert create(Timeout=900)["Timeout"] == 900


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with a 1,801 s timeout; AWS refuses it",
    evidence=f"{TIMEOUT_PAGE} ; botocore:lambda/2015-03-31#CreateFunctionRequest",
)
def test_a_timeout_of_1801_seconds_is_refused(create):
    response = refusal(create, Timeout=1801)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with a 0 s timeout; AWS refuses it",
    evidence=f"botocore:lambda/2015-03-31#Timeout ; {MODEL_MIN}",
)
def test_a_timeout_of_0_seconds_is_refused(create):
    assert refusal(create, Timeout=0)["Error"]["Code"] == "ValidationException"


def test_tmp_can_be_sized_from_512_to_10240_mb(create):
    sizes = [create(EphemeralStorage={"Size": size})["EphemeralStorage"]["Size"] for size in (512, 10240)]

    assert sizes == [512, 10240]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with 511 MB of /tmp; AWS refuses it",
    evidence=f"botocore:lambda/2015-03-31#EphemeralStorageSize ; {MODEL_MIN}",
)
def test_511_mb_of_tmp_is_refused(create):
    assert refusal(create, EphemeralStorage={"Size": 511})["Error"]["Code"] == "ValidationException"


@pytest.mark.diverges(
    ("ministack", "localstack"),
    "creates the function with 10,241 MB of /tmp; AWS refuses it",
    evidence=f"botocore:lambda/2015-03-31#EphemeralStorage ; {QUOTAS}",
)
def test_10241_mb_of_tmp_is_refused(create):
    response = refusal(create, EphemeralStorage={"Size": 10241})

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_environment_variables_of_exactly_4_kb_are_accepted(create):
    function = create(Environment={"Variables": env_of_size(4096)})

    assert function["Environment"]["Variables"] == env_of_size(4096)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates the function with 4,097 bytes of variables; AWS refuses them",
    evidence=f"{ENV_TOO_BIG}#test_large_environment_variables_fails",
)
def test_environment_variables_one_byte_over_4_kb_are_refused(create):
    error = refusal(create, Environment={"Variables": env_of_size(4097)})["Error"]

    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"].startswith(ENV_MESSAGE)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "applies 10,241 MB in UpdateFunctionConfiguration; AWS refuses it",
    evidence=QUOTAS,
)
@pytest.mark.diverges(
    "localstack",
    "without Docker the function ends in State Failed and never becomes Active, so it cannot be updated",
    evidence="https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html",
)
def test_update_function_configuration_refuses_memory_past_the_limit_too(create, lam):
    function = create()
    lam.get_waiter("function_active_v2").wait(FunctionName=function["FunctionName"], WaiterConfig={"Delay": 1})
    response = refusal(lam.update_function_configuration, FunctionName=function["FunctionName"], MemorySize=10241)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lam.get_function_configuration(FunctionName=function["FunctionName"])["MemorySize"] == 128
