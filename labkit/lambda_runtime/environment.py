"""One Lambda execution environment: a runtime process under ``awslambdaric``, its Runtime API, its /tmp.

Life cycle, as the Lambda developer guide describes it ("Understanding the Lambda execution environment
lifecycle", https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
- Init, on the first invocation: the process starts, awslambdaric imports the handler's module (the code
  outside the handler runs here, once), then asks the Runtime API for the first event. The time to that
  first request is the ``Init Duration`` of the first REPORT line, and (since 1 August 2025, on-demand .zip
  functions on managed runtimes) it is billed: Billed Duration = ceil(Duration + Init Duration).
- Init is limited to 10 s. An init that fails (an exception at import, a runtime that exits) or runs past
  10 s is reported in an ``INIT_REPORT ... Phase: init`` line and retried once inside the first invocation,
  under the function's own timeout (a "suppressed init"); a second failure is a second INIT_REPORT with
  ``Phase: invoke`` and the invocation fails, its REPORT ending ``Status: error  Error Type: ...``.
- Invoke, every invocation: one event, one handler call, one result; ``Duration`` runs from handing out the
  event to receiving the result. Globals and /tmp stay as the last invocation left them.
- Lambda enforces the timeout, not the runtime: past it the invocation fails with ``Sandbox.Timedout`` "Task
  timed out after X seconds". After a timeout or a crash Lambda *resets* the environment: the runtime is shut
  down and the next invocation runs init again (module globals start over), but /tmp keeps its files.

/tmp: each environment has a private directory, given to the function as TMPDIR (so ``tempfile.gettempdir()``
is it; on Lambda that is ``/tmp``). Code written for these labs writes there instead of a literal "/tmp", so
two environments, or two tests in parallel, never share files.

Max Memory Used is the runtime process's peak resident set: VmHWM while it runs, and the kernel's ru_maxrss
of the reaped process when it crashed, so a crash reports its real peak too.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from labkit.lambda_runtime.report import InitReport, Report, billed_duration_ms
from labkit.lambda_runtime.result import InvocationResult
from labkit.lambda_runtime.runtime_api import Invocation, RuntimeApi
from labkit.lambda_runtime.sandbox import FunctionConfig, child_environment


class EnvironmentError_(RuntimeError):
    """The environment could not be used (already shut down)."""


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


@dataclass(frozen=True)
class _InitOutcome:
    """How one init attempt ended: ``ok``, ``error`` (posted an init error, or the runtime exited) or ``timeout``."""

    status: str
    duration_ms: float
    error_type: str | None = None
    error_body: bytes | None = None


class ExecutionEnvironment:
    """A single execution environment of one function version. Not thread-safe: one invocation at a time,
    as in Lambda (concurrent invocations get environments of their own)."""

    def __init__(self, config: FunctionConfig, code_dir: Path, *, endpoint_url: str) -> None:
        self.config = config
        self.endpoint_url = endpoint_url
        self.id = uuid.uuid4().hex[:12]
        self._root = Path(tempfile.mkdtemp(prefix="labs-lambda-env-"))
        self.task_root = self._root / "task"  # /var/task: a copy of the code, read by the runtime
        self.tmp_dir = self._root / "tmp"  # /tmp: kept across resets, deleted by stop()
        shutil.copytree(code_dir, self.task_root)
        self.tmp_dir.mkdir()
        self._log_path = self._root / "runtime.log"
        self._log_path.touch()
        self._log_offset = 0
        self._api: RuntimeApi | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._watcher: threading.Thread | None = None
        self._spawned_at = 0.0
        self._exit_code: int | None = None
        self._exit_peak_kb = 0
        self._max_memory_mb = 0
        self.dead = False  # true once stopped: it serves no more invocations
        self.invocations = 0
        self.inits = 0  # init attempts (the first, and one more after every reset or failed init)
        self.resets = 0  # times the runtime was shut down after a timeout, a crash or a failed init

    # --- the runtime process -----------------------------------------------------------------------------------
    def _spawn(self) -> None:
        self._api = RuntimeApi()
        self._exit_code = None
        self._exit_peak_kb = 0
        self._max_memory_mb = 0
        self.inits += 1
        stamp = datetime.now(UTC).strftime("%Y/%m/%d")
        env = child_environment(
            self.config,
            task_root=self.task_root,
            tmp_dir=self.tmp_dir,
            runtime_api=self._api.address,
            endpoint_url=self.endpoint_url,
            log_stream=f"{stamp}/[{self.config.version}]{self.id}",
        )
        with self._log_path.open("ab") as log:
            self._spawned_at = time.monotonic()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "awslambdaric", self.config.handler],
                cwd=self.task_root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._watcher = threading.Thread(
            target=self._watch_exit, args=(self._process, self._api), name=f"lambda-env-{self.id}", daemon=True
        )
        self._watcher.start()

    def _watch_exit(self, process: subprocess.Popen[bytes], api: RuntimeApi) -> None:
        """Reap the runtime with wait4: its exit status and the peak RSS the kernel recorded for it."""
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except ChildProcessError:  # reaped elsewhere
            code, peak_kb = process.returncode if process.returncode is not None else -1, 0
        else:
            code, peak_kb = os.waitstatus_to_exitcode(status), usage.ru_maxrss
            process.returncode = code

        def record() -> None:
            self._exit_code = code
            self._exit_peak_kb = peak_kb

        api.state.update(record)

    def _sample_memory(self) -> None:
        """Max Memory Used: the process's peak resident set, in MB, rounded up (VmHWM, or ru_maxrss once reaped)."""
        peak_kb = self._exit_peak_kb
        if self._process is not None and self._exit_code is None:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
        self._max_memory_mb = max(self._max_memory_mb, math.ceil(peak_kb / 1024))

    def _read_new_logs(self) -> str:
        with self._log_path.open("rb") as log:
            log.seek(self._log_offset)
            data = log.read()
        self._log_offset += len(data)
        return data.decode("utf-8", "replace").replace("\r", "\n")

    def _kill_runtime(self) -> None:
        """Shut the runtime down (SIGKILL) and close its Runtime API; /tmp and the code stay."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        if self._watcher is not None:
            self._watcher.join(timeout=5)  # the watcher reaps it and records its exit before anything restarts
        if self._api is not None:
            self._api.close()
            self._api = None

    def reset(self) -> None:
        """What Lambda does after a timeout, a crash or a failed init: shut the runtime down, keep /tmp. The next
        invocation runs init again in this same environment."""
        self._sample_memory()
        self._kill_runtime()
        self.resets += 1

    def stop(self) -> None:
        """Shut the environment down: kill the runtime process, close the Runtime API, delete /tmp."""
        self.dead = True
        self._kill_runtime()
        shutil.rmtree(self._root, ignore_errors=True)

    # --- init --------------------------------------------------------------------------------------------------
    def _init(self, limit_s: float) -> _InitOutcome:
        """Start a runtime and wait (at most ``limit_s``) until it asks for its first event, posts an init error,
        or exits."""
        self._spawn()
        assert self._api is not None
        state = self._api.state
        with state.changed:
            state.changed.wait_for(
                lambda: state.ready_at is not None or state.init_error is not None or self._exit_code is not None,
                timeout=limit_s,
            )
        now = time.monotonic()
        if state.ready_at is not None and state.init_error is None and self._exit_code is None:
            return _InitOutcome("ok", (state.ready_at - self._spawned_at) * 1000)
        if state.init_error is not None:
            # awslambdaric posts the error, then exits: wait for the exit so the crash's peak memory is known.
            with state.changed:
                state.changed.wait_for(lambda: self._exit_code is not None, timeout=2)
            error = state.init_error
            return _InitOutcome(
                "error", (error.at - self._spawned_at) * 1000, error.error_type or "Runtime.Unknown", error.body
            )
        if self._exit_code is not None:
            return _InitOutcome("error", (now - self._spawned_at) * 1000, "Runtime.ExitError")
        return _InitOutcome("timeout", limit_s * 1000)

    # --- invoke ------------------------------------------------------------------------------------------------
    def invoke(self, payload: bytes, invoked_arn: str | None = None) -> InvocationResult:
        """Run one event through the handler, running init first if the runtime is not up (a cold start, or the
        first invocation after a reset). ``invoked_arn``: the ARN the caller used, default the function's."""
        if self.dead:
            raise EnvironmentError_(f"environment {self.id} is shut down; start a new one")
        self.invocations += 1
        request_id = str(uuid.uuid4())
        before = ""  # what the log holds before START: init output and INIT_REPORT lines
        init_ms: float | None = None
        started = time.monotonic()  # when this invocation's own clock (Duration, the timeout) starts
        limit = self.config.timeout
        if self._api is None:
            first = self._init(self.config.init_timeout)
            before += self._read_new_logs()
            if first.status == "ok":
                init_ms = first.duration_ms
                started = time.monotonic()
            else:
                # Suppressed init: report the failed Init phase, then retry it within this invocation.
                before += InitReport(first.duration_ms, "init", first.status, first.error_type).line() + "\n"
                self._sample_memory()
                self._kill_runtime()
                started = time.monotonic()
                retry = self._init(self.config.timeout)
                before += self._read_new_logs()
                if retry.status != "ok":
                    before += InitReport(retry.duration_ms, "invoke", retry.status, retry.error_type).line() + "\n"
                    return self._init_failed(request_id, retry, before)
                limit = max(0.0, self.config.timeout - retry.duration_ms / 1000)
        assert self._api is not None
        deadline_ms = int((time.time() + limit) * 1000)
        invocation = Invocation(request_id, payload, invoked_arn or self.config.arn, deadline_ms, _trace_id())
        state = self._api.state
        self._api.submit(invocation)
        with state.changed:
            state.changed.wait_for(
                lambda: invocation.settled or self._exit_code is not None,
                timeout=max(0.0, started + self.config.timeout - time.monotonic()),
            )
        self._sample_memory()
        during = self._read_new_logs()
        if invocation.settled:
            assert invocation.ended is not None
            duration = (invocation.ended - started) * 1000
            body = invocation.error if invocation.error is not None else (invocation.response or b"")
            return self._result(request_id, body, invocation.error is not None, duration, init_ms, before, during)
        if self._exit_code is not None:
            duration = (time.monotonic() - started) * 1000
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {self._exit_code}"
            self.reset()
            return self._result(
                request_id,
                _error_payload("Runtime.ExitError", message),
                True,
                duration,
                init_ms,
                before,
                during + f"{message}\nRuntime.ExitError\n",
                status="error",
                error_type="Runtime.ExitError",
            )
        return self._timed_out(request_id, init_ms, before, during)

    def _result(
        self,
        request_id: str,
        payload: bytes,
        error: bool,
        duration_ms: float,
        init_ms: float | None,
        before: str,
        during: str,
        *,
        status: str | None = None,
        error_type: str | None = None,
    ) -> InvocationResult:
        duration = round(duration_ms, 2)
        init = round(init_ms, 2) if init_ms is not None else None
        report = Report(
            request_id=request_id,
            duration_ms=duration,
            billed_duration_ms=billed_duration_ms(duration, init),
            memory_size_mb=self.config.memory_size,
            max_memory_used_mb=self._max_memory_mb,
            init_duration_ms=init,
            status=status,
            error_type=error_type,
        )
        logs = (
            f"{before}START RequestId: {request_id} Version: {self.config.version}\n"
            f"{during}END RequestId: {request_id}\n{report.line()}\n"
        )
        return InvocationResult(request_id, payload, "Unhandled" if error else None, report, logs)

    def _timed_out(self, request_id: str, init_ms: float | None, before: str, during: str) -> InvocationResult:
        self.reset()
        seconds = f"{self.config.timeout:.2f}"
        message = f"RequestId: {request_id} Error: Task timed out after {seconds} seconds"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        log = f"{during}{stamp} {request_id} Task timed out after {seconds} seconds\n"
        payload = _error_payload("Sandbox.Timedout", message)
        return self._result(
            request_id, payload, True, self.config.timeout * 1000, init_ms, before, log, status="timeout"
        )

    def _init_failed(self, request_id: str, outcome: _InitOutcome, before: str) -> InvocationResult:
        """The retried init failed too: the invocation fails with the init's error, and the environment resets."""
        self.reset()
        if outcome.error_body is not None:
            payload = outcome.error_body
        elif outcome.status == "timeout":
            seconds = f"{self.config.timeout:.2f}"
            payload = _error_payload(
                "Sandbox.Timedout", f"RequestId: {request_id} Error: Task timed out after {seconds} seconds"
            )
        else:
            payload = _error_payload(
                "Runtime.ExitError",
                f"RequestId: {request_id} Error: Runtime exited with error: exit status {self._exit_code}",
            )
        status = "timeout" if outcome.status == "timeout" else "error"
        error_type = None if status == "timeout" else outcome.error_type
        return self._result(
            request_id, payload, True, outcome.duration_ms, None, before, "", status=status, error_type=error_type
        )

    def stop_process(self) -> None:
        """Kill the runtime: the next invocation starts it again (kept for callers of the old name)."""
        self.reset()
