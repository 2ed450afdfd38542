"""The commit rule of `GuardedConsumer`: only a run of processed offsets from the committed one."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from faust.exceptions import ConsumerNotStarted
from faust.types import TP

from supportflow.offsets import REREAD_AFTER_S, GuardedConsumer, GuardedTransport
from supportflow.runtime import create_app
from supportflow.settings import Settings

TOPIC = TP("support.tickets.normalized", 0)


class Flow:
    def __init__(self, active: bool) -> None:
        self.active = active

    def is_active(self) -> bool:
        return self.active


def consumer_state(
    acked: list[int], committed: int | None, first: int | None = None, flowing: bool = True
) -> Any:
    """A consumer with only the bookkeeping the commit rule reads, as faust keeps it."""
    consumer: Any = GuardedConsumer.__new__(GuardedConsumer)
    consumer.__dict__.update(
        _acked=defaultdict(list, {TOPIC: list(acked)}),
        _acked_index=defaultdict(set, {TOPIC: set(acked)}),
        _committed_offset=defaultdict(lambda: None, {TOPIC: committed}),
        _first_offsets={} if first is None else {TOPIC: first},
        _let_go=set(),
        _rereads={},
        _held_since={},
        _unacked_messages=set(),
        app=SimpleNamespace(
            flow_control=Flow(flowing), topics=SimpleNamespace(acks_enabled_for=lambda topic: True)
        ),
    )
    consumer.assignment = lambda: {TOPIC}
    consumer.highwater = lambda tp: 0
    return consumer


def recorded_seeks(state: Any) -> list[dict[TP, int]]:
    """Replace the consumer's seek with a recorder; returns what it was asked to seek."""
    seeks: list[dict[TP, int]] = []

    async def seek_wait(partitions: dict[TP, int]) -> None:
        seeks.append(dict(partitions))

    state.seek_wait = seek_wait
    return seeks


def new_offset(state: Any) -> int | None:
    return GuardedConsumer._new_offset(state, TOPIC)


def test_a_run_from_the_committed_offset_is_committed_and_forgotten() -> None:
    state = consumer_state([12, 10, 11, 14], committed=10)
    assert new_offset(state) == 13
    assert state._acked[TOPIC] == [14]
    assert state._acked_index[TOPIC] == {14}


def test_the_record_at_the_committed_offset_must_be_processed() -> None:
    # faust 0.15.3 commits 13 here (its head check is off by one) and record 10 is lost
    state = consumer_state([11, 12], committed=10)
    assert new_offset(state) is None
    state._acked[TOPIC].append(10)
    assert new_offset(state) == 13


def test_with_no_commit_the_run_must_start_at_the_first_offset() -> None:
    assert new_offset(consumer_state([3, 4], committed=None, first=0)) is None
    assert new_offset(consumer_state([0, 1, 2], committed=None, first=0)) == 3


def test_nothing_is_committed_before_the_first_offset_is_known() -> None:
    assert new_offset(consumer_state([0, 1], committed=None)) is None


def test_offsets_behind_the_start_are_dropped_not_committed() -> None:
    state = consumer_state([3, 5, 6], committed=None, first=5)
    assert new_offset(state) == 7
    assert state._acked[TOPIC] == []
    assert state._acked_index[TOPIC] == set()


def test_nothing_acked_commits_nothing() -> None:
    assert new_offset(consumer_state([], committed=4)) is None


def test_every_service_app_uses_the_guarded_transport(tmp_path: Any) -> None:
    app = create_app("router", Settings(state_dir=tmp_path))
    assert isinstance(app.transport, GuardedTransport)
    assert app.transport.Consumer is GuardedConsumer


async def test_a_held_commit_re_reads_the_partition_when_its_record_was_let_go() -> None:
    state = consumer_state([11, 12], committed=10)
    seeks = recorded_seeks(state)
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == []  # nothing was let go: the record at 10 may still be on its way
    state._let_go.add(TOPIC)
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == [{TOPIC: 10}]
    assert TOPIC not in state._let_go


async def test_no_re_read_while_a_rebalance_pauses_the_flow() -> None:
    state = consumer_state([11], committed=10, flowing=False)
    state._let_go.add(TOPIC)
    assert new_offset(state) is None
    assert state._rereads == {}
    assert TOPIC in state._let_go  # the rebalance's own seek will read it again


async def test_a_partition_whose_last_records_were_let_go_is_re_read() -> None:
    # nothing after them was acked, so no commit is ever held: the re-read must not wait for one
    state = consumer_state([], committed=7)
    seeks = recorded_seeks(state)
    state._acked = defaultdict(list)  # faust has no acked entry at all for the partition
    assert TOPIC in set(GuardedConsumer._filter_tps_with_pending_acks(state))
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == []  # nothing past the commit, nothing let go: nothing to read again
    state._let_go.add(TOPIC)
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == [{TOPIC: 7}]


async def test_a_partition_stalled_past_its_commit_is_re_read_after_a_while() -> None:
    # records up to offset 9 exist, the commit stands at 7, nothing is acked or in a handler:
    # faust dropped 7 and 8 without acking them (no let-go to see)
    state = consumer_state([], committed=7)
    seeks = recorded_seeks(state)
    state.highwater = lambda tp: 9
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == []  # a backlog in a buffer looks the same for a moment
    state._unacked_messages = [SimpleNamespace(tp=TOPIC)]
    state._held_since[TOPIC] = (7, time.monotonic() - REREAD_AFTER_S - 1)
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == []  # one of them is in a handler: not stalled
    state._unacked_messages = set()
    state._held_since[TOPIC] = (7, time.monotonic() - REREAD_AFTER_S - 1)
    assert new_offset(state) is None
    await asyncio.sleep(0)
    assert seeks == [{TOPIC: 7}]


def test_a_commit_while_the_consumer_starts_or_stops_looks_only_at_what_is_acked() -> None:
    state = consumer_state([10, 11], committed=10)

    def not_started() -> set[TP]:
        raise ConsumerNotStarted("Consumer thread not yet started")

    state.assignment = not_started
    assert set(GuardedConsumer._filter_tps_with_pending_acks(state)) == {TOPIC}
    assert new_offset(state) == 12
