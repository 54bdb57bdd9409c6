"""--backend and LABS_BACKEND choose where AWS calls go; a wrong choice fails at once with the choices."""

from __future__ import annotations

import socket
import time

import pytest

from labkit.backends import AWS_CONFIRMATION_VARIABLE, BackendError, make_backend

REPORT_BACKEND = """
def test_report(backend, aws_client):
    print("BACKEND=" + backend.name)
    assert aws_client("sts").get_caller_identity()["Account"] == "123456789012"
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(REPORT_BACKEND)
    return pytester.runpytest("-p", "labkit.plugin", "-s", "-p", "no:randomly", *args)


def test_moto_is_the_default(pytester, monkeypatch):
    monkeypatch.delenv("LABS_BACKEND", raising=False)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["labs backend: moto *", "*BACKEND=moto"])


def test_the_environment_variable_selects_a_backend(pytester, monkeypatch):
    monkeypatch.setenv("LABS_BACKEND", "moto-server")
    run(pytester).stdout.fnmatch_lines(["*BACKEND=moto-server"])


def test_the_option_beats_the_environment_variable(pytester, monkeypatch):
    monkeypatch.setenv("LABS_BACKEND", "moto-server")
    run(pytester, "--backend", "moto").stdout.fnmatch_lines(["*BACKEND=moto"])


def test_an_unknown_backend_fails_at_once_naming_the_choices(pytester):
    result = run(pytester, "--backend", "motto")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unknown backend 'motto': choose one of moto, moto-server, ministack, localstack, aws*"]
    )


def test_the_aws_backend_is_refused_without_its_confirmation(pytester, monkeypatch):
    monkeypatch.delenv(AWS_CONFIRMATION_VARIABLE, raising=False)
    result = run(pytester, "--backend", "aws")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*also set {AWS_CONFIRMATION_VARIABLE}=yes*"])


@pytest.mark.parametrize("answer", ["", "1", "true", "no"])
def test_only_an_explicit_yes_confirms_the_aws_backend(monkeypatch, answer):
    monkeypatch.setenv(AWS_CONFIRMATION_VARIABLE, answer)
    with pytest.raises(BackendError, match="real money"):
        make_backend("aws")


def test_a_confirmed_aws_backend_is_not_an_emulator_and_cleans_up(monkeypatch):
    monkeypatch.setenv(AWS_CONFIRMATION_VARIABLE, "yes")
    backend = make_backend("aws")
    assert (backend.is_emulator, backend.track_resources, backend.endpoint_url) == (False, True, None)


def test_each_test_starts_from_a_clean_state_on_every_emulator(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("round", [1, 2])
        def test_no_queue_is_left_from_the_other_round(aws_client, round):
            sqs = aws_client("sqs")
            assert sqs.list_queues().get("QueueUrls", []) == []
            sqs.create_queue(QueueName="same-name-every-round")
        """
    )
    for name in ("moto", "moto-server", "ministack"):
        pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "--backend", name).assert_outcomes(passed=2)


def test_moto_config_applies_to_one_test_and_is_put_back(pytester):
    pytester.makepyfile(
        """
        from moto.core.config import default_user_config

        def test_turns_it_on(moto_config):
            moto_config({"stepfunctions": {"execute_state_machine": True}})
            assert default_user_config["stepfunctions"]["execute_state_machine"] is True

        def test_it_is_off_again_in_the_next_test():
            assert default_user_config["stepfunctions"]["execute_state_machine"] is False
        """
    )
    for name in ("moto", "moto-server"):
        result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "--backend", name)
        result.assert_outcomes(passed=2)


def test_moto_config_names_an_unknown_section(pytester):
    pytester.makepyfile("def test_x(moto_config):\n    moto_config({'stepfunction': {}})\n")
    result = pytester.runpytest("-p", "labkit.plugin")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*moto has no settings section(s)*stepfunction*"])


def test_a_moto_server_port_already_in_use_fails_at_once_naming_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        backend = make_backend("moto-server", port=port)
        started = time.monotonic()
        with pytest.raises(BackendError, match=rf"could not listen on 127\.0\.0\.1:{port}.*Address already in use"):
            backend.start()
    assert time.monotonic() - started < 5
