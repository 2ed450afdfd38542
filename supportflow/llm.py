"""LLM providers: OpenAI-compatible chat and Anthropic messages, shared by every layer that may use one.

Both are optional (off by default) and interchangeable behind `Provider`. The drafter uses one
to rewrite a reply for tone (from customer-safe claims only); the intake may use one to
extract fields it could not find. Every caller validates what comes back and keeps its
deterministic result on any failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

_RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


class ProviderError(Exception):
    """The provider gave no usable completion after its bounded retries."""


class Provider(Protocol):
    """Turns a system prompt and a user prompt into text.

    `complete` awaits network I/O bounded by the provider's timeout per attempt and a fixed number
    of attempts; it raises `ProviderError` when no completion came back. It has no side effects
    beyond the request, so calling it again is safe.
    """

    @property
    def name(self) -> str: ...

    async def complete(self, system: str, user: str) -> str: ...


@dataclass(frozen=True)
class HttpSettings:
    timeout_s: float = 10.0
    max_attempts: int = 3
    backoff_s: float = 0.5
    max_tokens: int = 1024
    temperature: float = 0.2


async def _post_json(
    url: str, payload: dict[str, Any], headers: Mapping[str, str], settings: HttpSettings
) -> dict[str, Any]:
    last_error = "no attempt made"
    async with httpx.AsyncClient(timeout=httpx.Timeout(settings.timeout_s)) as client:
        for attempt in range(settings.max_attempts):
            if attempt:
                await asyncio.sleep(settings.backoff_s * 2 ** (attempt - 1))
            try:
                response = await client.post(url, json=payload, headers=dict(headers))
            except httpx.TimeoutException as exc:
                last_error = f"timeout after {settings.timeout_s}s: {type(exc).__name__}"
                continue
            except httpx.TransportError as exc:
                last_error = f"transport error: {type(exc).__name__}"
                continue
            if response.status_code in _RETRYABLE_STATUS:
                last_error = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise ProviderError(f"HTTP {response.status_code} from {url}")
            try:
                body = response.json()
            except ValueError as exc:
                raise ProviderError(f"response from {url} is not JSON") from exc
            if not isinstance(body, dict):
                raise ProviderError(f"response from {url} is not a JSON object")
            return body
    raise ProviderError(f"{url}: gave up after {settings.max_attempts} attempts ({last_error})")


@dataclass(frozen=True)
class OpenAICompatibleProvider:
    """Any `/chat/completions` endpoint (OpenAI, vLLM, Ollama, LM Studio, llama.cpp server)."""

    base_url: str
    model: str
    api_key: str | None = None
    settings: HttpSettings = HttpSettings()
    name: str = "openai"

    async def complete(self, system: str, user: str) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        payload = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        body = await _post_json(
            self.base_url.rstrip("/") + "/chat/completions", payload, headers, self.settings
        )
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderError("chat completion without choices[0].message.content") from exc
        if not isinstance(content, str) or not content.strip():
            raise ProviderError("chat completion with empty content")
        return content.strip()


@dataclass(frozen=True)
class AnthropicProvider:
    """The Anthropic Messages API (`POST /v1/messages`)."""

    model: str
    api_key: str | None = None
    base_url: str = "https://api.anthropic.com"
    api_version: str = "2023-06-01"
    settings: HttpSettings = HttpSettings()
    name: str = "anthropic"

    async def complete(self, system: str, user: str) -> str:
        headers = {"anthropic-version": self.api_version}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        payload = {
            "model": self.model,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "max_tokens": self.settings.max_tokens,
            "temperature": self.settings.temperature,
        }
        body = await _post_json(self.base_url.rstrip("/") + "/v1/messages", payload, headers, self.settings)
        blocks = body.get("content")
        if not isinstance(blocks, list):
            raise ProviderError("message without content blocks")
        text = "".join(
            b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text"
        ).strip()
        if not text:
            raise ProviderError("message with no text block")
        return text


def provider_from_config(
    llm: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> Provider | None:
    """Build the provider from the domain YAML's `llm` section; `provider: none` (the default) → None.

    Keys: provider (none|openai|anthropic), model, base_url, api_key_env (name of the environment
    variable holding the key; the key itself never lives in YAML), timeout_s, max_attempts.
    """
    if not llm:
        return None
    kind = str(llm.get("provider", "none")).lower()
    if kind in ("none", "", "off"):
        return None
    env = os.environ if env is None else env
    key_env = llm.get("api_key_env")
    api_key = env.get(str(key_env)) if key_env else None
    settings = HttpSettings(
        timeout_s=float(llm.get("timeout_s", HttpSettings.timeout_s)),
        max_attempts=int(llm.get("max_attempts", HttpSettings.max_attempts)),
    )
    model = str(llm.get("model", ""))
    if kind == "openai":
        base_url = str(llm.get("base_url", "https://api.openai.com/v1"))
        return OpenAICompatibleProvider(base_url=base_url, model=model, api_key=api_key, settings=settings)
    if kind == "anthropic":
        base_url = str(llm.get("base_url", "https://api.anthropic.com"))
        return AnthropicProvider(model=model, api_key=api_key, base_url=base_url, settings=settings)
    raise ValueError(f"unknown llm provider {kind!r}: expected none, openai or anthropic")
