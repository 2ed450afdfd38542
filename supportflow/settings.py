"""Deployment settings: one typed object read from the environment.

Everything about the product (sources, vocabulary, checks, playbooks, routing, replies, LLM)
lives in a domain folder instead (SUPPORTFLOW_DOMAIN; the demo product's folder by default).
Secrets are `SecretStr`: they never appear in `repr`, logs or `as_dict()`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from supportflow.domain import Domain

SERVICES: tuple[str, ...] = ("intake", "investigator", "router", "drafter", "learner")
from domains import DEFAULT_DOMAIN  # noqa: E402  (the shipped demo product)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORTFLOW_", extra="ignore")

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices(
            "KAFKA_BOOTSTRAP_SERVERS", "SUPPORTFLOW_BOOTSTRAP_SERVERS", "bootstrap_servers"
        ),
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None

    namespace: str = ""
    """Prefix for every topic and consumer group: isolates an eval run or a test session."""
    partitions: int = 4
    replication_factor: int = 1

    web_host: str = "127.0.0.1"
    web_port_base: int = 6066
    """intake listens on base, investigator base+1, router +2, drafter +3, learner +4."""

    state_dir: Path = Path(".supportflow")
    domain: Path = Field(
        default=DEFAULT_DOMAIN,
        validation_alias=AliasChoices("SUPPORTFLOW_DOMAIN", "SUPPORTFLOW_DOMAIN_CONFIG", "domain"),
    )
    """The domain folder (a path to its domain.yaml works too)."""
    world_db: str | None = None
    """SQLAlchemy URL of the loaded world the investigator reads (the demo and eval set it)."""
    world_files: str | None = None
    """A pack's world/ folder: incidents and behaviours read as NDJSON (the demo and eval set it)."""

    console_db: str | None = None
    """SQLAlchemy URL of the review console's database (default: console.db in the state dir)."""
    console_port: int = 6080
    console_secret: SecretStr | None = None
    """Signs the console's session cookies; without it a random one per process (logins end
    when the console restarts)."""

    stage_concurrency: int = 16
    """Records a stage handles at once; records of one ticket still go strictly in order."""
    max_ticket_bytes: int = 1_000_000
    max_thread_messages: int = 50
    log_level: str = "warn"
    log_json: bool = False

    def topic(self, name: str) -> str:
        return f"{self.namespace}{name}"

    def app_id(self, service: str) -> str:
        return f"{self.namespace}supportflow-{service}"

    def web_port(self, service: str) -> int:
        return self.web_port_base + SERVICES.index(service)

    def console_db_url(self) -> str:
        return self.console_db or f"sqlite:///{(self.state_dir / 'console.db').resolve()}"

    def kafka_client_options(self) -> dict[str, Any]:
        """Security options in aiokafka's vocabulary."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        if self.security_protocol in ("SSL", "SASL_SSL"):
            import ssl

            options["ssl_context"] = ssl.create_default_context(
                cafile=str(self.ssl_cafile) if self.ssl_cafile else None
            )
        return options

    def as_dict(self) -> dict[str, Any]:
        """Settings for display: secrets masked."""
        shown = self.model_dump()
        if self.sasl_password is not None:
            shown["sasl_password"] = "**********"
        if self.console_secret is not None:
            shown["console_secret"] = "**********"
        return shown


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def load_domain_for(settings: Settings | None = None) -> Domain:
    """The settings' domain folder, loaded and validated (raises `DomainError` naming file,
    key and line). `${VARIABLE}` references in its data section come from the environment."""
    settings = settings or get_settings()
    env = {"SUPPORTFLOW_WORLD_DB": settings.world_db} if settings.world_db else {}
    if settings.world_files:
        env["SUPPORTFLOW_WORLD_FILES"] = settings.world_files
    # A service reads the folder once at start however many of its parts ask (sources, vocabulary,
    # replies, masking): the same folder under the same environment is the same domain.
    return _load_domain(str(settings.domain), tuple(sorted(env.items())), tuple(sorted(os.environ.items())))


@lru_cache(maxsize=8)
def _load_domain(
    folder: str, env: tuple[tuple[str, str], ...], environment: tuple[tuple[str, str], ...]
) -> Domain:
    from supportflow.domain import load_domain

    return load_domain(folder, env=dict(env))
