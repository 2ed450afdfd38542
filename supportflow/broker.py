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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class SaslListener:
    """Serve clients on a SASL_PLAINTEXT listener instead of PLAINTEXT (tests of Kafka security).

    `users` maps user names to passwords; the first one is also the broker's own inter-broker
    identity. PLAIN users are a static JAAS list; SCRAM users are created when the storage is
    formatted (so they exist before the broker first starts).
    """

    mechanism: str = "SCRAM-SHA-256"  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    users: Mapping[str, str] = field(default_factory=lambda: {"admin": "admin-secret"})

    def __post_init__(self) -> None:
        if self.mechanism not in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            raise BrokerError(f"unsupported SASL mechanism {self.mechanism}")
        if not self.users:
            raise BrokerError("a SASL listener needs at least one user")

    @property
    def admin(self) -> tuple[str, str]:
        return next(iter(self.users.items()))

    def jaas(self) -> str:
        name, password = self.admin
        if self.mechanism == "PLAIN":
            users = " ".join(f'user_{user}="{secret}"' for user, secret in self.users.items())
            return (
                "org.apache.kafka.common.security.plain.PlainLoginModule required "
                f'username="{name}" password="{password}" {users};'
            )
        return f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{name}" password="{password}";'

    def client_options(self) -> dict[str, Any]:
        name, password = self.admin
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": name,
            "sasl_plain_password": password,
        }


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
        self,
        home: Path,
        host: str = "127.0.0.1",
        port: int = 9092,
        controller_port: int | None = None,
        sasl: SaslListener | None = None,
    ):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise BrokerError(f"the local broker listens on loopback only, not {host}")
        self.home = home
        self.host = "127.0.0.1"
        self.port = port
        self.controller_port = controller_port or port + 1
        self.sasl = sasl
        self._process: subprocess.Popen[bytes] | None = None
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
        client = "SASL_PLAINTEXT" if self.sasl else "PLAINTEXT"
        listeners = f"{client}://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}"
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{self.host}:{self.controller_port}",
            "listeners": listeners,
            "advertised.listeners": f"{client}://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": f"{client}:{client},CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": client,
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
        if self.sasl:
            mechanism = self.sasl.mechanism
            lines["sasl.enabled.mechanisms"] = mechanism
            lines["sasl.mechanism.inter.broker.protocol"] = mechanism
            lines[f"listener.name.sasl_plaintext.{mechanism.lower()}.sasl.jaas.config"] = self.sasl.jaas()
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
            if self.sasl and self.sasl.mechanism.startswith("SCRAM"):
                for user, secret in self.sasl.users.items():
                    command += ["--add-scram", f"{self.sasl.mechanism}=[name={user},password={secret}]"]
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
        self._process = process  # reaped by stop(), so no zombie and no ResourceWarning
        deadline = began + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BrokerError(f"the broker exited with {process.returncode}; see {self.log_file}")
            if answers(self.host, self.port) and asyncio.run(
                _metadata_ready(self.bootstrap, self.client_options())
            ):
                return BrokerState(
                    True, True, process.pid, self.bootstrap, kafka_version(), time.monotonic() - began
                )
            time.sleep(0.25)
        self.stop()
        raise BrokerError(f"the broker did not answer within {timeout:.0f}s; see {self.log_file}")

    def client_options(self) -> dict[str, Any]:
        """What an aiokafka client needs to talk to this broker (SASL as its first user)."""
        return self.sasl.client_options() if self.sasl else {}

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
        if self._process is not None and self._process.pid == pid:
            self._process.wait(timeout=10)
            self._process = None
        self.pid_file.unlink(missing_ok=True)
        return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return True


async def _metadata_ready(bootstrap: str, options: Mapping[str, Any] | None = None) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **(options or {}))
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
