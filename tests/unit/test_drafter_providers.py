"""The LLM providers against a real local HTTP server speaking each protocol."""

from __future__ import annotations

import time
from typing import Any

import pytest
from casefactory import decided_case
from llm_server import Behaviour

from services.drafter.draft import draft
from services.drafter.grounding import rewrite
from supportflow.llm import (
    AnthropicProvider,
    HttpSettings,
    OpenAICompatibleProvider,
    ProviderError,
    provider_from_config,
)

CASE = decided_case("plan_limit")
DRAFT = draft(CASE)
GROUNDED = DRAFT.customer_reply.replace("Hi Maria,", "Hi Maria,\n\nThanks for your patience.")
INVENTED = GROUNDED + "\nWe have added 25 bonus exports to your account."
FAST = HttpSettings(timeout_s=0.3, max_attempts=2, backoff_s=0.0)


@pytest.fixture
def llm_server(llm_endpoint: tuple[str, Behaviour]) -> tuple[str, Behaviour]:
    llm_endpoint[1].text = GROUNDED
    return llm_endpoint


def _openai(url: str) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        base_url=url + "/v1", model="local-model", api_key="test-key", settings=FAST
    )


def _anthropic(url: str) -> AnthropicProvider:
    return AnthropicProvider(model="claude-test", api_key="test-key", base_url=url, settings=FAST)


async def test_openai_compatible_rewrite_is_accepted(llm_server: tuple[str, Behaviour]) -> None:
    url, behaviour = llm_server
    result = await rewrite(DRAFT, CASE, _openai(url))
    assert result.customer_reply == GROUNDED
    assert result.generator == "llm:openai"
    request = behaviour.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    assert [m["role"] for m in request["body"]["messages"]] == ["system", "user"]
    assert request["body"]["model"] == "local-model"


async def test_anthropic_rewrite_is_accepted(llm_server: tuple[str, Behaviour]) -> None:
    url, behaviour = llm_server
    result = await rewrite(DRAFT, CASE, _anthropic(url))
    assert result.customer_reply == GROUNDED
    assert result.generator == "llm:anthropic"
    request = behaviour.requests[0]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["x-api-key"] == "test-key"
    assert request["headers"]["anthropic-version"] == "2023-06-01"
    assert request["body"]["system"].startswith("You rewrite")
    assert request["body"]["max_tokens"] > 0


@pytest.mark.parametrize("make", [_openai, _anthropic])
async def test_rewrite_inventing_a_number_is_rejected(llm_server: tuple[str, Behaviour], make: Any) -> None:
    url, behaviour = llm_server
    behaviour.text = INVENTED
    result = await rewrite(DRAFT, CASE, make(url))
    assert result.customer_reply == DRAFT.customer_reply
    assert result.grounding_rejections == 1
    assert "adds number 25" in result.internal_note


@pytest.mark.parametrize("make", [_openai, _anthropic])
async def test_timeout_leaves_the_deterministic_draft(llm_server: tuple[str, Behaviour], make: Any) -> None:
    url, behaviour = llm_server
    behaviour.delay_s = 1.0
    started = time.monotonic()
    result = await rewrite(DRAFT, CASE, make(url))
    assert time.monotonic() - started < 2.0
    assert result.customer_reply == DRAFT.customer_reply
    assert result.generator == "template"
    assert result.grounding_rejections == 0
    assert len(behaviour.requests) == FAST.max_attempts


async def test_retryable_status_is_retried(llm_server: tuple[str, Behaviour]) -> None:
    url, behaviour = llm_server
    behaviour.fail_first = 1
    assert await _openai(url).complete("s", "u") == GROUNDED
    assert len(behaviour.requests) == 2


async def test_retries_are_bounded(llm_server: tuple[str, Behaviour]) -> None:
    url, behaviour = llm_server
    behaviour.fail_first = 10
    with pytest.raises(ProviderError, match="gave up after 2 attempts"):
        await _anthropic(url).complete("s", "u")
    assert len(behaviour.requests) == 2


async def test_client_errors_are_not_retried(llm_server: tuple[str, Behaviour]) -> None:
    url, behaviour = llm_server
    with pytest.raises(ProviderError, match="HTTP 404"):
        await OpenAICompatibleProvider(base_url=url + "/nope", model="m", settings=FAST).complete("s", "u")
    assert len(behaviour.requests) == 1


async def test_unreachable_endpoint_raises_provider_error() -> None:
    provider = OpenAICompatibleProvider(base_url="http://127.0.0.1:9/v1", model="m", settings=FAST)
    with pytest.raises(ProviderError):
        await provider.complete("s", "u")


def test_provider_from_config() -> None:
    assert provider_from_config({"provider": "none"}) is None
    assert provider_from_config(None) is None
    openai = provider_from_config(
        {"provider": "openai", "model": "m", "base_url": "http://x/v1", "api_key_env": "K", "timeout_s": 3},
        env={"K": "secret"},
    )
    assert isinstance(openai, OpenAICompatibleProvider)
    assert openai.api_key == "secret" and openai.settings.timeout_s == 3.0
    assert isinstance(
        provider_from_config({"provider": "anthropic", "model": "m"}, env={}), AnthropicProvider
    )
    with pytest.raises(ValueError, match="unknown llm provider"):
        provider_from_config({"provider": "bard"})
