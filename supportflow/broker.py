"""A real single-node Apache Kafka (KRaft) for development, tests and the demo.

The broker's jars are the official Apache Kafka artifacts resolved from Maven Central by
`deploy/kafka/pom.xml` and cached under `~/.cache/supportflow/` after the first run. Its data,
pid file and log live under the state directory (`.supportflow/broker/`). `start` is a no-op
when a broker already answers on the port; it blocks until the broker answers or times out.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
LOG4J = REPO_ROOT / "deploy" / "kafka" / "log4j2.properties"
CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "supportflow"


class BrokerError(RuntimeError):
    pass


@dataclass(frozen=True)
class BrokerState:
    running: bool
    answering: bool
    pid: int | None
    bootstrap: str
    kafka_version: str
    seconds: float = 0.0
    already_running: bool = False


def kafka_version() -> str:
    text = POM.read_text(encoding="utf-8")
    start = text.index("<kafka.version>") + len("<kafka.version>")
    return text[start : text.index("</kafka.version>")]


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class LocalBroker:
    def __init__(
        self, home: Path, host: str = "127.0.0.1", port: int = 9092, controller_port: int | None = None
    ):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise BrokerError(f"the local broker listens on loopback only, not {host}")
        self.home = home
        self.host = "127.0.0.1"
        self.port = port
        self.controller_port = controller_port or port + 1
        self.data_dir = home / "data"
        self.pid_file = home / "broker.pid"
        self.log_file = home / "broker.log"
        self.config_file = home / "server.properties"

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def jars_dir(self) -> Path:
        digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
        return CACHE_ROOT / f"kafka-{kafka_version()}-{digest}"

    def ensure_jars(self) -> Path:
        """Resolve the broker's jars with Maven once; later calls reuse the cache."""
        target = self.jars_dir
        if (target / ".complete").exists():
            return target
        if shutil.which("mvn") is None:
            raise BrokerError("Maven (mvn) is needed once to fetch the Kafka jars from Maven Central")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        if result.returncode != 0:
            raise BrokerError(f"resolving Kafka jars failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        (staging / ".complete").write_text(kafka_version(), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        return target

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def status(self) -> BrokerState:
        pid = self.pid()
        return BrokerState(
            running=pid is not None,
            answering=answers(self.host, self.port),
            pid=pid,
            bootstrap=self.bootstrap,
            kafka_version=kafka_version(),
        )

    def _write_config(self) -> None:
        listeners = f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}"
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{self.host}:{self.controller_port}",
            "listeners": listeners,
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "8",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "log.retention.hours": "168",
            "log.segment.bytes": str(64 * 1024 * 1024),
            "message.max.bytes": str(8 * 1024 * 1024),
        }
        self.config_file.write_text("".join(f"{k}={v}\n" for k, v in lines.items()), encoding="utf-8")

    def _java(self, jars: Path, *args: str) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise BrokerError("Java 17+ is needed to run the local Kafka broker")
        return [
            java,
            "-Xms256m",
            "-Xmx768m",
            f"-Dlog4j2.configurationFile={LOG4J}",
            "-cp",
            f"{jars}/*",
            *args,
        ]

    def start(self, timeout: float = 120.0) -> BrokerState:
        began = time.monotonic()
        if answers(self.host, self.port):
            return BrokerState(True, True, self.pid(), self.bootstrap, kafka_version(), 0.0, True)
        jars = self.ensure_jars()
        self.home.mkdir(parents=True, exist_ok=True)
        self._write_config()
        if not (self.data_dir / "meta.properties").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            cluster_id = uuid.uuid4().hex[:22]
            command = self._java(
                jars,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(self.config_file),
            )
            result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
            if result.returncode != 0:
                raise BrokerError(f"formatting the broker storage failed:\n{result.stdout}{result.stderr}")
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self._java(jars, "kafka.Kafka", str(self.config_file)),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid), encoding="utf-8")
        deadline = began + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BrokerError(f"the broker exited with {process.returncode}; see {self.log_file}")
            if answers(self.host, self.port) and asyncio.run(_metadata_ready(self.bootstrap)):
                return BrokerState(
                    True, True, process.pid, self.bootstrap, kafka_version(), time.monotonic() - began
                )
            time.sleep(0.25)
        self.stop()
        raise BrokerError(f"the broker did not answer within {timeout:.0f}s; see {self.log_file}")

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after `timeout`). False if none ran."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid() is None or _is_zombie(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return True


async def _metadata_ready(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


def broker_for(bootstrap: str, state_dir: Path) -> LocalBroker:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    return LocalBroker(state_dir / "broker", host=host or "127.0.0.1", port=int(port or 9092))
