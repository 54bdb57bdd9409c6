"""diverges -> strict xfail on the named backend only; needs -> a skip with the reason where it is lacking."""

from __future__ import annotations

import json

import pytest

LAB = """
import pytest

@pytest.mark.diverges("moto", "moto says 1, AWS says 2", evidence="https://docs.aws.amazon.com/two.html")
def test_aws_says_two(backend):
    assert (1 if backend.name == "moto" else 2) == 2

@pytest.mark.diverges("moto", "claimed, but moto already behaves", evidence="unverified: a run on AWS")
def test_fixed_emulator():
    assert True

@pytest.mark.needs("http-endpoint")
def test_needs_a_server(backend):
    assert backend.endpoint_url.startswith("http://127.0.0.1:")
"""


def run(pytester: pytest.Pytester, backend: str) -> pytest.RunResult:
    pytester.makepyfile(LAB)
    return pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-rsxX", "--backend", backend)


def test_on_the_named_backend_a_divergence_is_an_xfail_and_a_fixed_one_fails(pytester):
    result = run(pytester, "moto")
    result.assert_outcomes(xfailed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*XPASS(strict)*moto diverges: claimed, but moto already behaves*",
            "*needs http-endpoint: in-process moto has no HTTP endpoint*",
        ]
    )


def test_on_other_backends_the_aws_assertion_simply_runs(pytester):
    run(pytester, "moto-server").assert_outcomes(passed=3)


def test_a_divergence_can_be_limited_to_the_expected_error(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.diverges("moto", "raises KeyError", raises=KeyError)
        def test_wrong_error():
            raise ValueError("not the divergence that was recorded")
        """
    )
    result = pytester.runpytest("-p", "labkit.plugin")
    result.assert_outcomes(failed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('diverges("motor", "typo")', "*diverges names unknown backend(s)*motor*"),
        ('diverges("moto")', "*use @pytest.mark.diverges(backend, reason, evidence=...)*"),
        ('diverges("moto", "r", evidence="moto docs")', "*evidence 'moto docs' is none of: an AWS documentation URL*"),
        ('diverges("moto", "r", evidence="unverified")', "*evidence 'unverified' is none of*"),
        ('diverges("moto", "r", evidnce="x")', "*diverges takes evidence= and raises=, not*evidnce*"),
        ('needs("teleport")', "*unknown capability 'teleport'*"),
    ],
)
def test_a_malformed_marker_is_a_usage_error_naming_the_test(pytester, marker, message):
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.{marker}\ndef test_x():\n    pass\n")
    result = pytester.runpytest("-p", "labkit.plugin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_the_evidence_of_a_divergence_reaches_the_outcome_file(pytester):
    pytester.makepyfile(LAB)
    out = pytester.path / "outcomes.json"
    pytester.runpytest(
        "-p", "labkit.plugin", "-p", "labkit.cli.outcomes", f"--labs-outcomes={out}", "-p", "no:randomly"
    )
    by_test = {o["nodeid"].rsplit("::", 1)[1]: o for o in json.loads(out.read_text())}
    assert by_test["test_aws_says_two"]["evidence"] == "https://docs.aws.amazon.com/two.html"
    assert by_test["test_fixed_emulator"]["evidence"] == "unverified: a run on AWS"
    assert "evidence" not in by_test["test_needs_a_server"]


def test_markers_are_documented(pytester):
    result = pytester.runpytest("-p", "labkit.plugin", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.diverges: *strict xfail*", "@pytest.mark.needs: *http-endpoint*"])


def test_a_lab_that_needs_lambda_execution_skips_on_moto_naming_the_command_that_runs_it(pytester):
    lab = pytester.mkdir("labs").joinpath("lambda")
    lab.mkdir()
    (lab / "lab.toml").write_text(
        'title = "t"\nservices = ["lambda"]\nneeds = ["lambda-execution"]\n'
        'sources = [{ file = "000_48eea6add3d1ef8f.txt", section = "pebibyte" }]\n'
    )
    (lab / "test_t.py").write_text("def test_runs_code():\n    raise AssertionError('must not run')\n")
    result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*this lab needs lambda-execution: moto cannot run Lambda code*run it with: pytest labs/lambda/test_t.py"
         " --backend ministack*"]
    )  # fmt: skip


def test_a_test_that_uses_a_service_the_backend_lacks_skips_with_the_reason(pytester, monkeypatch):
    from labkit.backends import LocalStackBackend

    monkeypatch.setattr(LocalStackBackend, "start", lambda self: None)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.uses("cloudfront")
        def test_needs_cloudfront():
            raise AssertionError("must not run")

        def test_runs():
            pass
        """
    )
    result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-rs", "--backend", "localstack")
    result.assert_outcomes(skipped=1, passed=1)
    result.stdout.fnmatch_lines(["*this test uses cloudfront: LocalStack's community edition*license plan*"])


def test_an_expected_divergence_is_reported_without_building_its_traceback(pytester):
    pytester.makeconftest(
        """
        def pytest_runtest_logreport(report):
            if report.failed or report.skipped:
                print(f"LONGREPR {report.when}=" + repr(str(report.longrepr)))
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def stack():
            raise RuntimeError("moto cannot make the stack")

        @pytest.mark.diverges("moto", "moto says 1", evidence="unverified: a run on AWS would show it")
        def test_expected():
            assert 1 == 2, "the divergence"

        @pytest.mark.diverges("moto", "moto has no stack", evidence="unverified: a run on AWS would show it")
        def test_expected_in_setup(stack):
            pass
        """
    )
    quiet = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-s")
    quiet.assert_outcomes(xfailed=2)
    quiet.stdout.fnmatch_lines(["*LONGREPR call='AssertionError: the divergence*'"])  # the exception alone
    quiet.stdout.fnmatch_lines(["*LONGREPR setup='RuntimeError: moto cannot make the stack'"])  # a fixture's too
    assert "def test_expected" not in quiet.stdout.str()
    assert "def stack" not in quiet.stdout.str()
    loud = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-s", "--runxfail")
    loud.assert_outcomes(failed=1, errors=1)
    loud.stdout.fnmatch_lines(["*LONGREPR call=*def test_expected*"])  # --runxfail: the full traceback
    loud.stdout.fnmatch_lines(["*LONGREPR setup=*def stack*"])
