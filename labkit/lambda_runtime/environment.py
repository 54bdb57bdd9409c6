"""One Lambda execution environment: a runtime process under ``awslambdaric``, its Runtime API, its /tmp.

Life cycle, as the Lambda developer guide describes it ("Lambda execution environment lifecycle"):
- Init, on the first invocation: the process starts, awslambdaric imports the handler's module (the code
  outside the handler runs here, once), then asks the Runtime API for the first event. The time to that
  first request is the ``Init Duration`` of the first REPORT line.
- Invoke, every invocation: one event, one handler call, one result; ``Duration`` runs from handing out the
  event to receiving the result, billed in 1 ms steps. Globals and /tmp stay as the last invocation left them.
- Lambda enforces the timeout, not the runtime: past it, the process is killed and the invocation fails with
  ``Sandbox.Timedout`` "Task timed out after X seconds"; the next invocation starts a new environment. So does
  a failed init and a runtime that exits.

/tmp: each environment has a private directory, given to the function as TMPDIR (so ``tempfile.gettempdir()``
is it; on Lambda that is ``/tmp``). Code written for these labs writes there instead of a literal "/tmp", so
two environments, or two tests in parallel, never share files.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from labkit.lambda_runtime.report import Report, billed_duration_ms
from labkit.lambda_runtime.result import InvocationResult
from labkit.lambda_runtime.runtime_api import Invocation, RuntimeApi
from labkit.lambda_runtime.sandbox import FunctionConfig, child_environment


class EnvironmentError_(RuntimeError):
    """The environment could not be used (already shut down)."""


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class ExecutionEnvironment:
    """A single execution environment of one function version. Not thread-safe: one invocation at a time,
    as in Lambda (concurrent invocations get environments of their own)."""

    def __init__(self, config: FunctionConfig, code_dir: Path, *, endpoint_url: str) -> None:
        self.config = config
        self.endpoint_url = endpoint_url
        self.id = uuid.uuid4().hex[:12]
        self._root = Path(tempfile.mkdtemp(prefix="labs-lambda-env-"))
        self.task_root = self._root / "task"  # /var/task: a copy of the code, read by the runtime
        self.tmp_dir = self._root / "tmp"  # /tmp
        shutil.copytree(code_dir, self.task_root)
        self.tmp_dir.mkdir()
        self._log_path = self._root / "runtime.log"
        self._log_offset = 0
        self._api: RuntimeApi | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._spawned_at = 0.0
        self._exit_code: int | None = None
        self._max_memory_mb = 0
        self._init_output = b""
        self.dead = False  # true once it can serve no more invocations (timeout, init failure, crash, stop)
        self.invocations = 0

    # --- life cycle --------------------------------------------------------------------------------------------
    def _spawn(self) -> None:
        self._api = RuntimeApi()
        self._api.state.on_ready = self._mark_init_output
        stamp = datetime.now(UTC).strftime("%Y/%m/%d")
        env = child_environment(
            self.config,
            task_root=self.task_root,
            tmp_dir=self.tmp_dir,
            runtime_api=self._api.address,
            endpoint_url=self.endpoint_url,
            log_stream=f"{stamp}/[{self.config.version}]{self.id}",
        )
        log = self._log_path.open("wb")
        self._spawned_at = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "awslambdaric", self.config.handler],
            cwd=self.task_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        threading.Thread(target=self._watch_exit, name=f"lambda-env-{self.id}", daemon=True).start()

    def _watch_exit(self) -> None:
        assert self._process is not None and self._api is not None
        code = self._process.wait()
        state = self._api.state
        state.update(lambda: setattr(self, "_exit_code", code))

    def _sample_memory(self) -> None:
        """Max Memory Used: the process's peak resident set (VmHWM), in MB, rounded up."""
        if self._process is None:
            return
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self._max_memory_mb = max(self._max_memory_mb, math.ceil(int(line.split()[1]) / 1024))

    def _read_new_logs(self) -> str:
        with self._log_path.open("rb") as log:
            log.seek(self._log_offset)
            data = log.read()
        self._log_offset += len(data)
        return data.decode("utf-8", "replace").replace("\r", "\n")

    def stop(self) -> None:
        """Shut the environment down: kill the runtime process, close the Runtime API, delete /tmp."""
        self.dead = True
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)
        if self._api is not None:
            self._api.close()
            self._api = None
        shutil.rmtree(self._root, ignore_errors=True)

    # --- invoke ------------------------------------------------------------------------------------------------
    def invoke(self, payload: bytes, invoked_arn: str | None = None) -> InvocationResult:
        """Run one event through the handler, starting the environment first if it is new (a cold start).
        ``invoked_arn``: the ARN the caller used (with a version or alias), default the function's."""
        if self.dead:
            raise EnvironmentError_(f"environment {self.id} is shut down; start a new one")
        cold = self._api is None
        if cold:
            self._spawn()
        assert self._api is not None
        self.invocations += 1
        request_id = str(uuid.uuid4())
        deadline_ms = int((time.time() + self.config.timeout) * 1000)
        invocation = Invocation(request_id, payload, invoked_arn or self.config.arn, deadline_ms, _trace_id())
        state = self._api.state
        self._api.submit(invocation)
        with state.changed:
            state.changed.wait_for(
                lambda: invocation.started is not None or state.init_error is not None or self._exit_code is not None,
                timeout=self.config.init_timeout,
            )
            if invocation.started is None:
                return self._init_failed(invocation, cold)
            deadline = invocation.started + self.config.timeout
            state.changed.wait_for(
                lambda: invocation.settled or self._exit_code is not None,
                timeout=max(0.0, deadline - time.monotonic()),
            )
        self._sample_memory()
        init_ms = (state.ready_at - self._spawned_at) * 1000 if cold and state.ready_at else None
        if invocation.ended is not None:
            return self._finished(invocation, init_ms)
        if self._exit_code is not None:
            return self._exited(invocation, init_ms)
        return self._timed_out(invocation, init_ms)

    def _result(
        self,
        invocation: Invocation,
        payload: bytes,
        error: bool,
        duration_ms: float,
        init_ms: float | None,
        status: str | None = None,
        extra_log: str = "",
    ) -> InvocationResult:
        report = Report(
            request_id=invocation.request_id,
            duration_ms=round(duration_ms, 2),
            billed_duration_ms=billed_duration_ms(round(duration_ms, 2)),
            memory_size_mb=self.config.memory_size,
            max_memory_used_mb=self._max_memory_mb,
            init_duration_ms=round(init_ms, 2) if init_ms is not None else None,
            status=status,
        )
        output = self._read_new_logs()
        before, during = (output, "") if invocation.started is None else ("", output)
        if self.invocations == 1 and invocation.started is not None:
            before, during = self._split_init_output(output)
        logs = (
            f"{before}START RequestId: {invocation.request_id} Version: {self.config.version}\n"
            f"{during}{extra_log}END RequestId: {invocation.request_id}\n{report.line()}\n"
        )
        return InvocationResult(invocation.request_id, payload, "Unhandled" if error else None, report, logs)

    def _split_init_output(self, output: str) -> tuple[str, str]:
        """On a cold start, what the module printed at import time comes before START, as in CloudWatch."""
        marker = len(self._init_output.decode("utf-8", "replace").replace("\r", "\n"))
        return output[:marker], output[marker:]

    def _mark_init_output(self) -> None:
        with self._log_path.open("rb") as log:
            self._init_output = log.read()

    def _finished(self, invocation: Invocation, init_ms: float | None) -> InvocationResult:
        assert invocation.started is not None and invocation.ended is not None
        duration = (invocation.ended - invocation.started) * 1000
        if invocation.error is not None:
            return self._result(invocation, invocation.error, True, duration, init_ms)
        return self._result(invocation, invocation.response or b"", False, duration, init_ms)

    def _timed_out(self, invocation: Invocation, init_ms: float | None) -> InvocationResult:
        self.stop_process()
        seconds = f"{self.config.timeout:.2f}"
        message = f"RequestId: {invocation.request_id} Error: Task timed out after {seconds} seconds"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        log = f"{stamp} {invocation.request_id} Task timed out after {seconds} seconds\n"
        payload = _error_payload("Sandbox.Timedout", message)
        return self._result(invocation, payload, True, self.config.timeout * 1000, init_ms, "timeout", log)

    def _exited(self, invocation: Invocation, init_ms: float | None) -> InvocationResult:
        self.stop_process()
        assert invocation.started is not None
        duration = (time.monotonic() - invocation.started) * 1000
        payload = _error_payload("Runtime.ExitError", self._exit_message(invocation))
        return self._result(invocation, payload, True, duration, init_ms, "error")

    def _exit_message(self, invocation: Invocation) -> str:
        return f"RequestId: {invocation.request_id} Error: Runtime exited with error: exit status {self._exit_code}"

    def _init_failed(self, invocation: Invocation, cold: bool) -> InvocationResult:
        """No event was taken: the module raised at import (init error), the runtime died, or init ran too long."""
        assert self._api is not None
        state = self._api.state
        self.stop_process()
        if state.init_error is not None:
            init_ms = (state.init_error.at - self._spawned_at) * 1000
            payload = state.init_error.body
        elif self._exit_code is not None:
            init_ms = (time.monotonic() - self._spawned_at) * 1000
            message = (
                f"RequestId: {invocation.request_id} Error: Runtime exited with error: exit status {self._exit_code}"
            )
            payload = _error_payload("Runtime.ExitError", message)
        else:
            init_ms = self.config.init_timeout * 1000
            message = f"RequestId: {invocation.request_id} Error: Init timed out after {self.config.init_timeout:.2f} s"
            payload = _error_payload("Sandbox.Timedout", message)
        return self._result(invocation, payload, True, init_ms, init_ms if cold else None, "error")

    def stop_process(self) -> None:
        """Kill the runtime (after a timeout or a failure): this environment serves no more invocations."""
        self.dead = True
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)
