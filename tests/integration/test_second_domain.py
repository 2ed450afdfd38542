"""A ticket of the second example product (domains/kestrel) through `supportflow up` on the real
broker: the adopter's own schema loaded as shipped, its Statuspage answers served on loopback,
the five services started by the CLI with SUPPORTFLOW_DOMAIN pointing at the folder."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from supportflow.evaluation.pack_http import serve_pack_http
from supportflow.settings import SERVICES, Settings
from supportflow.traffic import collect_cases, publish_tickets
from supportflow.world.loader import load_pack, read_tickets

REPO = Path(__file__).resolve().parents[2]
DOMAIN = REPO / "domains" / "kestrel"
PACK = REPO / "examples" / "packs" / "kestrel"
# A held-out ticket (second half by id): a revoked API key, with the secret key pasted in it.
TICKET_ID = "KM-0048"


def _healthy(settings: Settings) -> bool:
    for name in SERVICES:
        try:
            answer = httpx.get(f"http://127.0.0.1:{settings.web_port(name)}/health", timeout=1.0)
            if answer.status_code != 200 or answer.json().get("assigned_partitions", 0) <= 0:
                return False
        except (httpx.HTTPError, ValueError):
            return False
    return True


async def test_a_ticket_of_the_second_domain_runs_through_supportflow_up(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    item = next(i for i in read_tickets(PACK) if i.ticket.ticket_id == TICKET_ID)
    db = f"sqlite:///{tmp_path / 'kestrel.db'}"
    load_pack(PACK, db)
    settings = isolated_settings.model_copy(update={"world_db": db, "domain": DOMAIN})
    with serve_pack_http(PACK) as http_env:
        env = {
            **os.environ,
            **http_env,
            "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "SUPPORTFLOW_NAMESPACE": settings.namespace,
            "SUPPORTFLOW_WEB_PORT_BASE": str(settings.web_port_base),
            "SUPPORTFLOW_STATE_DIR": str(settings.state_dir),
            "SUPPORTFLOW_WORLD_DB": db,
            "SUPPORTFLOW_DOMAIN": str(DOMAIN),
        }
        log = (tmp_path / "up.log").open("wb")
        up = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "supportflow", "up"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline and up.poll() is None:
                if await asyncio.to_thread(_healthy, settings):
                    break
                await asyncio.sleep(1.0)
            assert await asyncio.to_thread(_healthy, settings), (tmp_path / "up.log").read_text(
                errors="replace"
            )[-3000:]
            await publish_tickets(settings, [item.ticket])
            collected = await collect_cases(settings, {TICKET_ID}, timeout=90)
        finally:
            up.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(up.wait, 60)
            except subprocess.TimeoutExpired:
                up.kill()
                await asyncio.to_thread(up.wait)
            log.close()
    case = collected.cases[TICKET_ID]
    assert case.intake and case.investigation and case.decision and case.draft
    truth = item.truth
    assert case.investigation.identity_status == "verified"
    assert (case.decision.decision_class, case.decision.cause) == (truth.decision, truth.cause)
    assert case.decision.route.queue == truth.route_queue
    reply = case.draft.customer_reply
    assert "Kestrel Mail Support" in reply
    assert truth.forbidden and all(secret not in reply for secret in truth.forbidden)
    written = [case.intake, case.investigation, case.decision, case.draft]
    assert all(secret not in part.model_dump_json() for part in written for secret in truth.forbidden)
    assert any(
        e.check.startswith("requests.") and e.verdict == "supports" for e in case.investigation.evidence
    )
