"""What each service holds of the learned patterns: one compact copy, whatever the order in
which the feed and the learner's restore deliver them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.investigator.app import pattern_memory as investigator_memory
from services.learner.app import pattern_memory as learner_memory
from supportflow.events import Pattern
from supportflow.pattern_store import PatternStore
from supportflow.settings import Settings
from supportflow.similarity import PatternIndex

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def pattern(pattern_id: str, support: int = 1, hours: int = 0) -> Pattern:
    return Pattern(
        pattern_id=pattern_id,
        signature="export fails plan limit",
        decision_class="expected_behavior",
        cause="plan_limit",
        support=support,
        ticket_ids=[f"T-{n}" for n in range(support)],
        updated_at=T0 + timedelta(hours=hours),
    )


def test_the_investigator_holds_patterns_in_its_index_only() -> None:
    feed, index = investigator_memory(Settings())
    feed.apply(pattern("p_1"))
    feed.apply(pattern("p_1", support=2, hours=1))
    assert feed.patterns is index and isinstance(index, PatternIndex)
    assert len(index) == 1 and index["p_1"].support == 2


def test_the_learner_keeps_a_version_apart_only_until_the_feed_has_it() -> None:
    feed, memory = learner_memory(Settings())
    feed.apply(pattern("p_fed"))
    restored = PatternStore()
    restored.add(pattern("p_fed"))  # the same version the feed holds: not kept twice
    restored.add(pattern("p_new"))  # not on the feed yet
    memory.restore(restored)
    assert len(memory._own) == 1 and memory["p_new"].pattern_id == "p_new"

    memory.keep(pattern("p_fed", support=3, hours=2))  # the learner's own newer lesson
    assert memory["p_fed"].support == 3, "the better-supported version wins"
    feed.apply(pattern("p_new"))
    feed.apply(pattern("p_fed", support=2, hours=1))  # an older version reaches the feed
    assert set(memory._own) == {"p_fed"} and memory["p_fed"].support == 3
    feed.apply(pattern("p_fed", support=3, hours=2))  # the feed catches up
    assert len(memory._own) == 0 and memory["p_fed"].support == 3
    assert sorted(memory) == ["p_fed", "p_new"] and len(memory) == 2
