"""The AWS CLI fork server behaves as the `aws` command: output, exit status, stdin, environment, <(...) files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from labkit.awscli_server import AwsCliServer
from labkit.backends import MotoServerBackend
from labkit.byhand_runner import services_in
from labkit.cli.byhand import by_hand_environment


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """Run a bash command line whose `aws` is the fork server's client, against a moto server."""
    moto = MotoServerBackend()
    moto.start()
    server = AwsCliServer(tmp_path_factory.mktemp("cli"), ["s3", "sqs"])
    server.start()
    env = {
        **os.environ,
        **by_hand_environment(str(moto.endpoint_url)),
        "PATH": f"{server.bin_dir}:{os.environ['PATH']}",
    }

    def run(line: str, **kwargs: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", line], capture_output=True, text=True, env={**env, **kwargs}, timeout=60)

    yield run
    server.stop()
    moto.stop()


def test_a_command_prints_its_output_and_exits_zero(shell):
    done = shell("aws s3 mb s3://labs-cli-one && aws s3 ls")
    assert done.returncode == 0, done.stderr
    assert "make_bucket: labs-cli-one" in done.stdout and "labs-cli-one" in done.stdout.splitlines()[-1]


def test_a_usage_error_keeps_the_cli_exit_status(shell):
    done = shell("aws sqs no-such-operation")
    assert done.returncode == 2 and "Invalid choice" in done.stderr


def test_stdin_and_process_substitution_reach_the_command(shell):
    done = shell(
        "aws s3 mb s3://labs-cli-two >/dev/null && echo piped | aws s3 cp - s3://labs-cli-two/a "
        "&& aws s3 cp s3://labs-cli-two/a - "
        """&& aws s3api put-bucket-tagging --bucket labs-cli-two --tagging file://<(echo '{"TagSet": ["""
        """{"Key": "from", "Value": "substituted"}]}') """
        "&& aws s3api get-bucket-tagging --bucket labs-cli-two --query 'TagSet[0].Value' --output text"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["piped", "substituted"]


def test_each_command_gets_its_own_environment(shell):
    listing = "aws s3 mb s3://labs-cli-3 >/dev/null; aws s3api list-buckets --query 'Buckets[?Name==`labs-cli-3`]'"
    assert shell(listing, AWS_DEFAULT_OUTPUT="text").stdout.split()[-1] == "labs-cli-3"
    assert shell(listing, AWS_DEFAULT_OUTPUT="json").stdout.startswith("[")


def test_the_services_to_warm_up_come_from_the_readmes(tmp_path):
    readme = Path(tmp_path / "README.md")
    readme.write_text('$ aws s3api list-buckets\n$ aws sqs --endpoint-url "$AWS_ENDPOINT_URL" list-queues\n> aws kms x')
    assert services_in([readme]) == ["kms", "s3", "sqs"]
