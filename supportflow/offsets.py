"""Which input offsets a service may commit: only records it really processed, from where the
group's committed offset stands, with nothing skipped.

faust-streaming 0.15.3 decides what to commit in `Consumer._new_offset` from the list of acked
offsets, and three of its rules let a commit pass a record that was never processed (the
SIGKILL fault test lost 1-2 of 500 tickets across crash-driven rebalances this way):

- the head check is off by one: with the committed offset at 10 (the next record to read) and
  offsets 11 and 12 acked, it commits 13 and record 10 is gone;
- a partition with no commit yet (or a commit at 0, which faust stores as "none") has no head
  check at all, so the first run of acked offsets is committed wherever it starts;
- a jump in the offsets it delivers is taken for a gap in the log (compaction, transaction
  markers) and counted as acked, but records faust fetched and then dropped around a
  rebalance make the same jump.

It also acks, as if processed, records it skips because they were fetched in an older
generation or while a rebalance paused the flow.

`GuardedConsumer` keeps faust's consumer and changes those decisions: a skipped record is let
go without recording its offset; a commit advances only over a run of acked offsets that starts
exactly at the committed offset (or, with no commit, at the partition's first offset); gaps are
never counted as acked. And because faust also skips records with no rebalance (and so no seek)
after them -- the SIGKILL and learner-restart tests show it right after a restarted service's
first assignment, through `ack` and also without it -- a partition is read again from its
committed offset, outside a rebalance, when a record there was let go, when its commit has been
held at one offset for `REREAD_AFTER_S`, or when records lie past its commit with none of them
acked or in a handler for that long. Repeats are absorbed downstream by the revision dedupe.

The topics the services consume are plain delete-retention topics written without
transactions, so their offsets are contiguous; a transactional producer writing into one (its
markers take offsets no consumer sees) would hold that partition's commit at the first marker
and re-read it every `REREAD_AFTER_S` -- records stay in Kafka, never lost -- and
`supportflow_commit_holds_total` / `supportflow_rereads_total` show it.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections.abc import Iterator
from typing import Any

from faust.exceptions import ConsumerNotStarted
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.utils.functional import consecutive_numbers

from supportflow import metrics

log = logging.getLogger("supportflow")

REREAD_AFTER_S = 5.0
"""A commit held this long at one offset re-reads the partition from there."""


class GuardedConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer that commits only processed, contiguous runs of records."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first_offsets: dict[TP, int] = {}
        self._let_go: set[TP] = set()
        """partitions with a record let go unprocessed since the last seek"""
        self._rereads: dict[TP, asyncio.Task[None]] = {}
        self._held_since: dict[TP, tuple[int, float]] = {}
        """partition -> (offset its commit waits at, since when)"""

    def ack(self, message: Any) -> bool:
        generation = getattr(message, "generation_id", None)
        stale = generation is not None and generation != self.app.consumer_generation_id
        if stale or not self.app.flow_control.is_active():
            # faust skips such records (or a handler finished one while a rebalance pauses the
            # flow): never count them as processed; the seek after the rebalance re-reads them
            self._unacked_messages.discard(message)
            message.acked = True
            self._let_go.add(message.tp)
            return False
        return bool(super().ack(message))

    async def perform_seek(self) -> None:
        # faust seeks, then resumes its flow control, which clears every stream buffer: records
        # fetched in between are dropped unacked. In a running service the fetcher is stopped
        # then (a rebalance stopped it); in a freshly started one it is not, so its first
        # records after the seek were lost until re-read. Stop it here; faust resumes it after
        # the clear.
        self.stop_flow()
        self._let_go.clear()  # the seek re-reads every partition from its committed offset
        await super().perform_seek()
        # where a partition with no commit starts: the group reads it from its first offset
        unknown = [tp for tp in self.assignment() if self._committed_offset[tp] is None]
        self._first_offsets = dict(await self.earliest_offsets(*unknown)) if unknown else {}

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        return None  # see the module docstring: a jump is not proof that the offsets are empty

    def _filter_tps_with_pending_acks(self, topics: Any = None) -> Iterator[TP]:
        # also every consumed partition with records past its commit: one whose records were
        # all skipped has nothing acked, but must be looked at (see `_stalled`)
        pending = set(super()._filter_tps_with_pending_acks(topics))
        pending |= self._let_go
        try:
            assigned = self.assignment()
        except ConsumerNotStarted:  # a commit while the consumer starts or stops
            assigned = set()
        pending |= {tp for tp in assigned if self.app.topics.acks_enabled_for(tp.topic)}
        return iter(tp for tp in pending if topics is None or tp in topics or tp.topic in topics)

    def _new_offset(self, tp: TP) -> int | None:
        acked: list[int] = self._acked[tp]
        head = self._committed_offset[tp]
        if head is None:
            head = self._first_offsets.get(tp)
        if head is None:  # not known until the seek after the assignment: commit nothing yet
            return None
        acked.sort()
        below = bisect.bisect_left(acked, head)
        if below:  # already behind the committed position
            self._acked_index[tp].difference_update(acked[:below])
            del acked[:below]
        if not acked:
            if tp in self._let_go:  # the last records of the partition were let go
                self._reread(tp, head)
            elif self._stalled(tp, head):
                self._reread_if_held(tp, head)
            else:
                self._held_since.pop(tp, None)
            return None
        if acked[0] != head:
            metrics.COMMIT_HOLDS.labels(tp.topic).inc()
            self._reread_if_held(tp, head)
            return None
        self._held_since.pop(tp, None)
        run = list(next(consecutive_numbers(acked)))
        del acked[: len(run)]
        self._acked_index[tp].difference_update(run)
        return run[-1] + 1

    def _stalled(self, tp: TP, head: int) -> bool:
        """Records exist past the committed offset, yet none of them is acked or in a handler.

        Faust also drops fetched records without acking them (a rebalance clearing buffers,
        a fetch cut short); when those were a partition's last records, nothing later is acked
        to hold a commit, so this is how they show. A backlog waiting in a buffer looks the same
        for a moment, hence the re-read only after `REREAD_AFTER_S`.
        """
        try:
            end = self.highwater(tp)
        except Exception:  # not assigned any more, or no fetch yet
            return False
        if not end or end <= head:
            return False
        return not any(message.tp == tp for message in list(self._unacked_messages))

    def _reread_if_held(self, tp: TP, head: int) -> None:
        """Read a partition again from its committed offset when the record there was let go.

        Stages ack in offset order, so later offsets acked ahead of the committed one mean the
        record there will not come back by itself: faust skipped it with no rebalance (and so no
        seek) after it. A commit held at one offset for `REREAD_AFTER_S` (or a stalled
        partition) is re-read too, whatever skipped its record.
        """
        now = time.monotonic()
        offset, since = self._held_since.get(tp, (head, now))
        if offset != head:
            offset, since = head, now
        self._held_since[tp] = (offset, since)
        if tp in self._let_go or now - since >= REREAD_AFTER_S:
            self._reread(tp, head)

    def _reread(self, tp: TP, head: int) -> None:
        """Outside a rebalance (whose own seek re-reads everything), seek `tp` back to `head`;
        repeats are skipped downstream."""
        if tp in self._rereads or not self.app.flow_control.is_active():
            return
        self._let_go.discard(tp)
        self._held_since[tp] = (head, time.monotonic())
        metrics.REREADS.labels(tp.topic).inc()
        log.warning(
            "re-reading %s[%s] from offset %s: a record there was skipped", tp.topic, tp.partition, head
        )
        task = asyncio.ensure_future(self._seek_back(tp, head))
        self._rereads[tp] = task
        task.add_done_callback(lambda _: self._rereads.pop(tp, None))

    async def _seek_back(self, tp: TP, offset: int) -> None:
        try:
            if tp in self.assignment():
                await self.seek_wait({tp: offset})
        except Exception as exc:  # a rebalance took the partition: its seek re-reads it anyway
            log.warning("re-read of %s[%s] from %s failed: %r", tp.topic, tp.partition, offset, exc)


class GuardedTransport(faust_aiokafka.Transport):
    """The aiokafka transport with `GuardedConsumer` as its consumer."""

    Consumer = GuardedConsumer
