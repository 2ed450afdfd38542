"""Learner wiring: drafted cases + helpdesk feedback -> learn() -> `support.patterns`.

Two streams, both keyed by ticket_id and co-partitioned: drafted cases are kept in the
`case_trail` table; a `CaseResolved` is joined with its trail, turned into patterns (sent to
the compacted topic, keyed by pattern_id) and counted into the feedback metrics, whose state
is kept in a table too, so a restart loses nothing.
"""

from __future__ import annotations

from typing import Any

import faust

from services.learner.feedback import FeedbackMetrics
from services.learner.patterns import learn
from supportflow import codec, metrics
from supportflow.codec import DecodeError, decode
from supportflow.events import CaseFile, CaseResolved, Pattern
from supportflow.pattern_feed import PatternFeed
from supportflow.runtime import DeadLetters, create_app, raw_topic
from supportflow.settings import Settings
from supportflow.similarity import pattern_id_for
from supportflow.topics import CASES_RESOLVED, DEADLETTER, PATTERNS, REPLIES_DRAFTED

FEEDBACK_KEY = "feedback"


def build(settings: Settings) -> faust.App:
    app = create_app("learner", settings)
    feed = PatternFeed(settings)
    app.add_dependency(feed)
    drafted = raw_topic(app, settings, REPLIES_DRAFTED)
    resolved_topic = raw_topic(app, settings, CASES_RESOLVED)
    patterns_topic = raw_topic(app, settings, PATTERNS)
    dead_letters = DeadLetters("learner", raw_topic(app, settings, DEADLETTER))
    trail = app.Table("case_trail", default=dict, partitions=settings.partitions)
    processed = app.Table("processed", default=dict, partitions=settings.partitions)
    feedback = FeedbackMetrics()
    restored = False

    async def keep_trail(stream: Any) -> None:
        async for event in stream.events():
            try:
                case = decode(CaseFile, event.message.value, event.message.headers)
            except DecodeError as exc:
                await dead_letters.send(event.message, exc.reason, str(exc))
                continue
            known = trail[case.ticket_id]
            if not known or int(known.get("revision", 0)) <= case.revision:
                trail[case.ticket_id] = case.model_dump(mode="json")

    async def learn_from_feedback(stream: Any) -> None:
        nonlocal restored, feedback
        async for event in stream.events():
            message = event.message
            try:
                resolved = decode(CaseResolved, message.value, message.headers)
            except DecodeError as exc:
                await dead_letters.send(message, exc.reason, str(exc))
                continue
            if not restored:  # the table is recovered from its changelog before the first event
                feedback = FeedbackMetrics.restore(processed[FEEDBACK_KEY] or feedback.state())
                restored = True
            known = trail[resolved.ticket_id]
            case = CaseFile.model_validate(known) if known else None
            try:
                lessons = learn(resolved, case, feed.patterns)
            except Exception as exc:
                await dead_letters.send(message, "processing_error", f"{type(exc).__name__}: {exc}")
                continue
            for pattern in lessons:
                await send_pattern(patterns_topic, pattern)
                feed.apply(pattern)
            pattern_id = None
            if case is not None and case.intake is not None:
                pattern_id = pattern_id_for(case.intake, resolved.final_class, resolved.final_cause)
            if feedback.record(resolved, case, pattern_id) is not None:
                processed[FEEDBACK_KEY] = feedback.state()
                observe(feedback)
            metrics.RECORDS.labels("learner", "processed").inc()

    app.agent(drafted, name="learner-trail")(keep_trail)
    app.agent(resolved_topic, name="learner-feedback")(learn_from_feedback)
    return app


async def send_pattern(topic: Any, pattern: Pattern) -> None:
    fut = await topic.send(
        key=pattern.pattern_id.encode(), value=codec.encode(pattern), headers=codec.avro_headers("Pattern")
    )
    await fut


def observe(feedback: FeedbackMetrics) -> None:
    snapshot = feedback.snapshot()
    gauges = {
        "misroute_rate": metrics.MISROUTE_RATE,
        "revision_rate": metrics.REVISION_RATE,
        "engineering_follow_up_rate": metrics.ENGINEERING_FOLLOW_UP_RATE,
        "repeat_case_reduction": metrics.REPEAT_CASE_REDUCTION,
        "repeat_investigation_rate": metrics.REPEAT_INVESTIGATION_RATE,
    }
    for key, gauge in gauges.items():
        if snapshot.get(key) is not None:
            gauge.set(snapshot[key])
