"""A learned investigation path decides a ticket end to end on the real broker.

The services run a copy of the demo domain whose playbooks do not know the feature-flag family.
Its first tickets come out `unclear`; a person resolves them with the cause, the route and the
check that settled it (`settled_by`); the learner publishes a learned path on `support.paths`;
the family's next tickets are then decided as that cause by the path's own checks, drafted from
the approved answer, with the originating cases cited in the internal note.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from supportflow import codec
from supportflow.admin import create_topics, read_topic
from supportflow.demo import EXAMPLE_PACK
from supportflow.evaluation.holdout import held_out_folder
from supportflow.events import CaseResolved, LearnedPath, SettlingEvidence, utcnow
from supportflow.fleet import Fleet
from supportflow.replay.runner import copy_patterns
from supportflow.settings import Settings
from supportflow.topics import LEARNED_PATHS
from supportflow.traffic import collect_cases, publish_records, publish_resolutions, publish_tickets
from supportflow.world.loader import read_tickets

CAUSE = "feature_flag_off"
TAUGHT = 5
ANSWER = (
    "Hi {{requester_name}},\n\n"
    "The feature you are looking for is not enabled for your account: the account's feature flags "
    "show it switched off, so the option does not appear. An admin can ask us to enable it; "
    "we have flagged this to your account team.\n\nBest regards,\nLumen Support"
)


@pytest.fixture
def pipeline_domain(tmp_path: Path) -> Path:
    from domains import DEFAULT_DOMAIN

    return held_out_folder(DEFAULT_DOMAIN, CAUSE, tmp_path)


async def learned_path(settings: Settings, support: int, timeout: float = 90.0) -> LearnedPath | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        records = read_topic(settings, settings.topic(LEARNED_PATHS), idle_timeout=2.0)
        async with contextlib.aclosing(records):
            async for record in records:
                path = codec.decode(LearnedPath, record.value, record.headers)
                if path.support >= support:
                    return path
        await asyncio.sleep(1.0)
    return None


async def test_a_learned_path_decides_the_next_tickets_of_a_cause_the_playbooks_do_not_know(
    pipeline: Fleet,
) -> None:
    settings = pipeline.settings
    items = [item for item in read_tickets(EXAMPLE_PACK) if item.truth.cause == CAUSE]
    await publish_tickets(settings, [item.ticket for item in items[:TAUGHT]])
    taught = await collect_cases(settings, {item.ticket.ticket_id for item in items[:TAUGHT]}, timeout=120)
    unclear = [c for c in taught.cases.values() if c.decision and c.decision.decision_class == "unclear"]
    assert len(unclear) >= 3, "without the hypothesis, the family's tickets go to L2 as unclear"
    await asyncio.sleep(3.0)  # the learner keeps each drafted case as the trail of its resolution

    proof = [SettlingEvidence(check="account.feature_flags", source="sql", verdict="supports")]
    await publish_resolutions(
        settings,
        [
            CaseResolved(
                ticket_id=case.ticket_id,
                resolved_at=utcnow(),
                final_class="configuration_issue",
                final_cause=CAUSE,
                final_queue="l1-config",
                final_reply=ANSWER.replace("{{requester_name}}", case.ticket.requester.name or "there"),
                settled_by=proof,
            )
            for case in unclear
        ],
    )
    path = await learned_path(settings, support=len(unclear))
    assert path is not None, "the learner published no learned path"
    assert path.cause == CAUSE and sorted(path.ticket_ids) == sorted(c.ticket_id for c in unclear)
    await asyncio.sleep(3.0)  # the investigator's path feed follows the topic

    later = items[TAUGHT:]
    await publish_tickets(settings, [item.ticket for item in later])
    answered = await collect_cases(settings, {item.ticket.ticket_id for item in later}, timeout=180)
    assert len(answered.cases) == len(later)
    learned = [c for c in answered.cases.values() if c.investigation and c.investigation.learned_path]
    assert len(learned) >= len(later) // 2, f"only {len(learned)} of {len(later)} decided by the learned path"
    for case in learned:
        assert case.decision is not None and case.draft is not None and case.investigation is not None
        use = case.investigation.learned_path
        assert use is not None
        assert (case.decision.decision_class, case.decision.cause) == ("configuration_issue", CAUSE)
        assert case.decision.route.queue == "l1-config"
        proving = {e.evidence_id: e for e in case.investigation.evidence if e.evidence_id in use.evidence_ids}
        assert [(e.check, e.verdict) for e in proving.values()] == [("account.feature_flags", "supports")]
        assert all(ticket_id in case.draft.internal_note for ticket_id in use.cases)
        if case.intake is not None and case.intake.language == path.features["answer_language"]:
            assert case.draft.generator == "learned"
            assert "feature flags show it switched off" in case.draft.customer_reply
        else:  # the approved answer is in another language: the reply is written in the ticket's
            assert use.answer is None and case.draft.generator == "template"
    assert any(c.draft is not None and c.draft.generator == "learned" for c in learned)


def test_replay_runs_its_candidate_with_the_live_learned_paths(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    """A replayed ticket is decided with what the live services know: the learned paths too."""
    live = isolated_settings
    private = live.model_copy(update={"namespace": f"{live.namespace}private.", "state_dir": tmp_path})
    path = LearnedPath(
        path_id="lp-live",
        signature="feature missing",
        decision_class="configuration_issue",
        cause=CAUSE,
        checks=[SettlingEvidence(check="account.feature_flags", verdict="supports")],
        support=3,
        ticket_ids=["T-1", "T-2", "T-3"],
        updated_at=utcnow(),
    )

    async def run() -> LearnedPath | None:
        await create_topics(private)
        await publish_records(live, LEARNED_PATHS, [(path.path_id, path)])
        assert await copy_patterns(live, private) == 1
        return await learned_path(private, support=3, timeout=30.0)

    assert asyncio.run(run()) == path
