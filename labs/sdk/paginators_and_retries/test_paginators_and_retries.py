"""Two things the SDK does for you: following NextToken across pages, and retrying throttled calls with
exponential backoff.

Pagination runs against the backend: 12 SSM parameters under one path, read 5 at a time. For retries no emulator
throttles on demand, so a ``Throttler`` answers a client's first attempts with ``ThrottlingException`` before they
leave the process; what is observed is the SDK's reaction: how many attempts it makes in each retry mode and how
long it asks to wait between them. An attempt the throttler lets through reaches the backend.
"""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit.deploy_tools import Throttler, sdk_session
from labkit.report import show_table

PARAMETERS = 12
PAGE = 5


@pytest.fixture(autouse=True)
def sdk_defaults(monkeypatch):
    """No retry settings from the shell running the tests: each test sets what it shows."""
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)


@pytest.fixture
def parameter_path(aws_client, unique_name):
    """``/labs-sdk-pages-xxxx``, holding 12 String parameters ``p00`` .. ``p11``."""
    path = f"/{unique_name('sdk-pages')}"
    ssm = aws_client("ssm")
    for number in range(PARAMETERS):
        ssm.put_parameter(Name=f"{path}/p{number:02}", Value=str(number), Type="String")
    return path


def test_one_call_returns_one_page_and_a_next_token(aws_client, parameter_path):
    page = aws_client("ssm").get_parameters_by_path(Path=parameter_path, MaxResults=PAGE)

    assert len(page["Parameters"]) <= PAGE
    assert page["NextToken"]


def test_a_paginator_follows_next_token_to_the_last_page(aws_client, parameter_path):
    pages = list(
        aws_client("ssm")
        .get_paginator("get_parameters_by_path")
        .paginate(Path=parameter_path, PaginationConfig={"PageSize": PAGE})
    )
    names = [parameter["Name"] for page in pages for parameter in page["Parameters"]]
    show_table("pages", ["page", "parameters"], [[i + 1, len(page["Parameters"])] for i, page in enumerate(pages)])

    assert sorted(names) == [f"{parameter_path}/p{number:02}" for number in range(PARAMETERS)]
    assert len(pages) >= 3  # at most 5 a page; AWS may hand back fewer
    assert "NextToken" not in pages[-1]


def test_max_items_stops_early_and_hands_back_a_token_to_resume_from(aws_client, parameter_path):
    paginator = aws_client("ssm").get_paginator("get_parameters_by_path")
    first = paginator.paginate(Path=parameter_path, PaginationConfig={"PageSize": PAGE, "MaxItems": 7})
    first = first.build_full_result()
    resume = {"PageSize": PAGE, "StartingToken": first["NextToken"]}
    rest = paginator.paginate(Path=parameter_path, PaginationConfig=resume).build_full_result()

    assert len(first["Parameters"]) == 7
    assert len(rest["Parameters"]) == PARAMETERS - 7
    assert {p["Name"] for p in first["Parameters"]}.isdisjoint({p["Name"] for p in rest["Parameters"]})


def throttled_ssm(retries=None, times=100):
    """An SSM client with these retry settings (None: the SDK's defaults), throttled ``times`` times."""
    config = Config(retries=retries) if retries is not None else None
    throttler = Throttler(times)
    return throttler.attach(sdk_session().client("ssm", config=config)), throttler


def attempts_until_it_gives_up(retries=None):
    """How many attempts a client makes on a call that is throttled every time, and the error it ends with."""
    ssm, throttler = throttled_ssm(retries)
    with pytest.raises(ClientError) as failed:
        ssm.describe_parameters()
    return throttler.attempts, failed.value.response


@pytest.mark.parametrize(("mode", "attempts"), [("legacy", 5), ("standard", 3)])
def test_each_retry_mode_makes_its_number_of_attempts_in_all(mode, attempts, recorded_sleeps):
    made, error = attempts_until_it_gives_up({"mode": mode})

    assert made == attempts  # the first call and attempts - 1 retries
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["ResponseMetadata"]["RetryAttempts"] == attempts - 1


def test_max_attempts_in_a_client_config_counts_the_retries_only(recorded_sleeps):
    made, _ = attempts_until_it_gives_up({"mode": "standard", "max_attempts": 5})

    assert made == 6  # the first call and 5 retries


def test_total_max_attempts_in_a_client_config_counts_the_first_call_too(recorded_sleeps):
    made, _ = attempts_until_it_gives_up({"mode": "standard", "total_max_attempts": 5})

    assert made == 5


def test_max_attempts_in_the_environment_counts_the_first_call_too(recorded_sleeps, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")  # the config file's max_attempts means the same

    assert attempts_until_it_gives_up()[0] == 5


def test_this_botocore_retries_in_standard_mode_by_default(recorded_sleeps):
    ssm, _ = throttled_ssm()

    assert ssm.meta.config.retries["mode"] == "standard"
    assert attempts_until_it_gives_up()[0] == 3


@pytest.mark.uses("dynamodb")
def test_dynamodb_clients_get_four_attempts_by_default(recorded_sleeps):
    throttler = Throttler(100)
    dynamodb = throttler.attach(sdk_session().client("dynamodb"))

    with pytest.raises(ClientError):
        dynamodb.list_tables()

    assert throttler.attempts == 4


def test_a_throttled_call_succeeds_when_a_retry_gets_through(recorded_sleeps):
    ssm, throttler = throttled_ssm({"mode": "standard"}, times=2)

    response = ssm.describe_parameters(MaxResults=1)  # the third attempt reaches the backend

    assert throttler.attempts == 3
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_longest_wait_doubles_with_each_retry_up_to_20_seconds(recorded_sleeps):
    attempts_until_it_gives_up({"mode": "standard", "total_max_attempts": 8})
    ceilings = [min(2**retry, 20) for retry in range(len(recorded_sleeps))]  # 1 s for a throttled call, doubled
    waits = list(zip(recorded_sleeps, ceilings, strict=True))
    rows = [[i + 1, f"{delay:.3f}", ceiling] for i, (delay, ceiling) in enumerate(waits)]
    show_table("back-off", ["retry", "waited (s)", "at most (s)"], rows)

    assert len(recorded_sleeps) == 7
    assert all(0 <= delay <= ceiling for delay, ceiling in waits)
    assert max(recorded_sleeps) > 1  # the ceiling grew: with 7 draws, at least one lands above the first 1 s
