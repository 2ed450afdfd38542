"""HTTP JSON connector for an incident/status API or a log-search API (httpx)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from .base import Query, Row, iso, json_path, matches, normalize_row, sort_and_limit


class HttpJsonSource:
    """Reads `GET {base_url}/{table}` with the query as URL parameters.

    Parameters sent: every filter (`account_id`, equality filters; None as `null`), `since` and
    `until` as ISO-8601 UTC, `time_column`, `limit`. The answer is a JSON list of objects or an
    object holding the list under `items`, `hits`, `results` or the table name. Rows are
    normalized and filtered again locally, so a server that ignores a parameter can never
    widen the result beyond the query's tenant scope. A bearer token, when configured, comes
    from the environment variable named by `token_env` and is never logged.
    """

    def __init__(
        self,
        base_url: str,
        *,
        name: str = "http",
        token_env: str | None = None,
        timeout_s: float = 2.0,
        tables: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.tables = tables
        self._token_env = token_env
        self._timeout_s = timeout_s
        # Built here, not on the first fetch: creating the client loads the TLS trust store
        # synchronously, which would block the loop inside the first call's timeout.
        self._client: httpx.AsyncClient | None = None
        self._http()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"accept": "application/json"}
            token = os.environ.get(self._token_env) if self._token_env else None
            if token:
                headers["authorization"] = f"Bearer {token}"
            self._client = httpx.AsyncClient(headers=headers, timeout=self._timeout_s)
        return self._client

    async def fetch(self, query: Query) -> list[Row]:
        params: dict[str, str | int] = {}
        if query.remote_filters:
            params["limit"] = query.limit
            for key, value in query.filters().items():
                params[key] = "null" if value is None else str(value)
            if query.time_column is not None:
                params["time_column"] = query.time_column
            if query.since is not None:
                params["since"] = iso(query.since)
            if query.until is not None:
                params["until"] = iso(query.until)
        response = await self._http().get(f"{self.base_url}/{query.table.lstrip('/')}", params=params)
        response.raise_for_status()
        payload: Any = response.json()
        if query.items:
            payload = json_path(payload, query.items)
        elif isinstance(payload, dict):
            for key in ("items", "hits", "results", query.table):
                if isinstance(payload.get(key), list):
                    payload = payload[key]
                    break
        if not isinstance(payload, list):
            raise ValueError("answer is not a JSON list of objects")
        rows = [normalize_row(item, query) for item in payload if isinstance(item, dict)]
        return sort_and_limit([row for row in rows if matches(row, query)], query)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
