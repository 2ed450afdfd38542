"""Run the five services as supervised subprocesses (`supportflow up`, the demo, eval, tests).

Each service is `python -m supportflow worker NAME` in its own process group. A service that
exits unexpectedly is restarted with backoff, at most `max_restarts` times. `stop` sends
SIGTERM to every service, waits, then SIGKILLs what is left: nothing is left running.
Each running service has a pid file under `<state dir>/run/`, so `supportflow down` can stop
services started by another command (`up` in another terminal, `demo --keep-running`).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from supportflow.settings import SERVICES, Settings


@dataclass
class ServiceProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    restarts: int = 0
    started_at: float = field(default_factory=time.monotonic)


class Fleet:
    def __init__(
        self,
        settings: Settings,
        services: Iterable[str] = SERVICES,
        *,
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        max_restarts: int = 5,
    ) -> None:
        self.settings = settings
        self.services = list(services)
        self.env = dict(env or {})
        self.log_dir = log_dir or settings.state_dir / "logs"
        self.max_restarts = max_restarts
        self.running: dict[str, ServiceProcess] = {}
        self.run_dir = run_dir(settings)

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env["KAFKA_BOOTSTRAP_SERVERS"] = self.settings.bootstrap_servers
        env["SUPPORTFLOW_NAMESPACE"] = self.settings.namespace
        env["SUPPORTFLOW_PARTITIONS"] = str(self.settings.partitions)
        env["SUPPORTFLOW_WEB_PORT_BASE"] = str(self.settings.web_port_base)
        env["SUPPORTFLOW_STATE_DIR"] = str(self.settings.state_dir)
        env["SUPPORTFLOW_DOMAIN"] = str(self.settings.domain)
        env.pop("SUPPORTFLOW_DOMAIN_CONFIG", None)
        for key, value in (
            ("SUPPORTFLOW_WORLD_DB", self.settings.world_db),
            ("SUPPORTFLOW_WORLD_FILES", self.settings.world_files),
        ):
            if value:
                env[key] = value
        return env

    def start_service(self, name: str, restarts: int = 0) -> ServiceProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{self.settings.namespace}{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "supportflow", "worker", name],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._environment(),
                start_new_session=True,
            )
        entry = ServiceProcess(name, process, log_path, restarts)
        self.running[name] = entry
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._pid_file(name).write_text(str(process.pid), encoding="utf-8")
        return entry

    def _pid_file(self, name: str) -> Path:
        return self.run_dir / f"{self.settings.namespace}{name}.pid"

    def start(self) -> None:
        for name in self.services:
            self.start_service(name)

    def healthy(self, name: str) -> bool:
        url = f"http://{self.settings.web_host}:{self.settings.web_port(name)}/health"
        try:
            answer = httpx.get(url, timeout=1.0)
            return answer.status_code == 200 and answer.json().get("assigned_partitions", 0) > 0
        except (httpx.HTTPError, ValueError):
            return False

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.services)
        while pending and time.monotonic() < deadline:
            self.supervise()
            pending = {name for name in pending if not self.healthy(name)}
            if pending:
                time.sleep(0.5)
        if pending:
            tails = "\n".join(f"--- {n}\n{self.tail_log(n)}" for n in sorted(pending))
            raise TimeoutError(f"services not healthy after {timeout:.0f}s: {sorted(pending)}\n{tails}")

    def tail_log(self, name: str, lines: int = 30) -> str:
        entry = self.running.get(name)
        if entry is None or not entry.log_path.exists():
            return ""
        return "\n".join(entry.log_path.read_text(errors="replace").splitlines()[-lines:])

    def supervise(self) -> list[str]:
        """Restart services that died on their own; returns the names restarted."""
        restarted = []
        for name, entry in list(self.running.items()):
            if entry.process.poll() is None:
                continue
            if entry.restarts >= self.max_restarts:
                raise RuntimeError(
                    f"{name} keeps exiting ({entry.restarts} restarts):\n{self.tail_log(name)}"
                )
            time.sleep(min(2.0**entry.restarts * 0.5, 8.0))
            self.start_service(name, entry.restarts + 1)
            restarted.append(name)
        return restarted

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to one service and forget it (the fault tests restart it themselves)."""
        entry = self.running.pop(name)
        _signal_group(entry.process, sig)
        entry.process.wait(timeout=30)
        self._pid_file(name).unlink(missing_ok=True)

    def stop(self, timeout: float = 20.0) -> None:
        entries = list(self.running.values())
        self.running.clear()
        for entry in entries:
            _signal_group(entry.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for entry in entries:
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                entry.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                _signal_group(entry.process, signal.SIGKILL)
                entry.process.wait(timeout=10)
            self._pid_file(entry.name).unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


SUPERVISOR = ".supervisor"
"""The pid file of a process that restarts services (`supportflow up`) is `<name>.supervisor.pid`."""


def run_dir(settings: Settings) -> Path:
    """Where running services and their supervisor leave pid files."""
    return settings.state_dir / "run"


def stop_recorded(directory: Path, timeout: float = 30.0) -> list[str]:
    """Stop every process with a pid file in `directory` (supervisors first, so none restarts a
    service): SIGTERM, then SIGKILL after `timeout`. Returns the names stopped. A pid that no
    longer runs a supportflow command is only forgotten, never signalled."""
    files = sorted(directory.glob("*.pid"), key=lambda f: not f.stem.endswith(SUPERVISOR))
    stopped = []
    for pid_file in files:
        pid = _recorded_pid(pid_file)
        if pid is not None:
            # a service leads its own process group; a supervisor stops its services itself
            send = os.kill if pid_file.stem.endswith(SUPERVISOR) else os.killpg
            with contextlib.suppress(ProcessLookupError):
                send(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    send(pid, signal.SIGKILL)
            stopped.append(pid_file.stem.removesuffix(SUPERVISOR))
        pid_file.unlink(missing_ok=True)
    return stopped


def _recorded_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    # a supportflow command: `python -m supportflow …` or the `supportflow` script — not merely a
    # process whose path mentions the word (a virtualenv named after the project, say)
    ours = any(part == b"supportflow" or part.endswith(b"/supportflow") for part in command.split(b"\0"))
    return pid if ours and _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST_PORT = 20000


def free_port_block(size: int = 5, tries: int = 50) -> int:
    """A base port with `size` free consecutive ports on loopback, below the kernel's range of
    ephemeral ports: a port from that range may be taken, between this check and the service's
    bind, as the local end of any outgoing connection (a Kafka client's)."""
    try:
        ephemeral = int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768  # Linux's default start of the range
    for _ in range(tries):
        if ephemeral - size > _LOWEST_PORT:
            base = random.randrange(_LOWEST_PORT, ephemeral - size)
        else:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                base = int(probe.getsockname()[1])
        if base + size < 65535 and all(_port_free(port) for port in range(base, base + size)):
            return base
    raise RuntimeError("no free block of ports on loopback")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
