"""Pattern memory and similar-case lookup latency at scale:
`python scripts/bench_patterns.py [--patterns 100000] [--service investigator|drafter|learner]`.

Feeds synthetic patterns shaped like the demo world's (12 cause families, their error codes and
vocabulary, a long tail of ticket words, an approved answer, the checks and the tickets behind
each) through the service's own wiring (`build_pattern_memory` in its app module: the pattern
feed and, except in the learner, the similarity index) as Avro records, as they arrive from
`support.patterns`. Prints the process RSS (VmRSS, after a garbage collection) with the
service's modules imported and no pattern yet, then with the patterns held, and the time
`similar()` takes for random tickets (p50/p95/p99 in milliseconds; not for the learner, which
does not look patterns up). Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import re
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from supportflow import codec
from supportflow.events import ErrorSignature, IntakeSection, Pattern
from supportflow.settings import Settings
from supportflow.similarity import PatternIndex

FAMILIES: dict[str, tuple[str, str, str, str]] = {
    # cause: (problem_type, error_code, class, family vocabulary)
    "plan_limit": (
        "export_failed",
        "PLAN_LIMIT_REACHED",
        "expected_behavior",
        "export csv limit plan quota daily",
    ),
    "missing_permission": (
        "access_denied",
        "PERMISSION_DENIED",
        "configuration_issue",
        "edit role access denied admin",
    ),
    "feature_flag_off": (
        "feature_unavailable",
        "FEATURE_DISABLED",
        "configuration_issue",
        "option missing feature menu",
    ),
    "sso_config_change": (
        "login_failed",
        "SSO_ASSERTION_INVALID",
        "configuration_issue",
        "sso login sign okta saml",
    ),
    "api_key_expired": (
        "api_auth_failed",
        "API_KEY_EXPIRED",
        "configuration_issue",
        "api key token 401 unauthorized",
    ),
    "rate_limited": ("api_throttled", "RATE_LIMITED", "expected_behavior", "api 429 throttled sync burst"),
    "documented_delay": ("data_delayed", "", "expected_behavior", "late delay scheduled hourly fresh"),
    "wrong_workspace": ("object_missing", "", "configuration_issue", "dashboard missing workspace gone"),
    "deploy_regression": (
        "server_error",
        "INTERNAL_ERROR",
        "product_defect",
        "500 error broken update release",
    ),
    "open_incident": ("server_error", "SERVICE_UNAVAILABLE", "incident", "503 down outage slow stuck"),
    "integration_outage": (
        "integration_failed",
        "UPSTREAM_UNAVAILABLE",
        "incident",
        "salesforce slack sync connector",
    ),
    "user_deleted_data": ("object_missing", "", "expected_behavior", "deleted gone disappeared report"),
}
SURFACES = ("ui", "api", "mobile")


def _tail_words(rng: random.Random, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(n)]


def _text(rng: random.Random, cause: str, tail: list[str]) -> tuple[str, str]:
    problem_type, code, _, vocab = FAMILIES[cause]
    words = rng.sample(vocab.split(), 3)
    # Zipf-like tail: most tickets reuse common words, some bring rare ones.
    words += [tail[min(int(rng.paretovariate(1.1)) - 1, len(tail) - 1)] for _ in range(rng.randint(4, 12))]
    return problem_type, " ".join([*words, code.lower()])


CHECKS = (
    "identity.requester_membership",
    "events.recent_outcomes",
    "account.plan_limits",
    "events.rejected_actions",
    "changes.recent_config_changes",
    "logs.error_spike",
    "incidents.open_incidents",
)
ANSWER = (
    "Hello,\n\nThank you for the details. We looked into {words} on your account: {detail}. "
    "Here is what we found and what happens next.\n\nWhat we found:\n- {first}\n- {second}\n\n"
    "Next step: {next} If anything still looks wrong, reply to this ticket with the time it "
    "happened and we will look again.\n\nBest regards,\nSupport"
)


def _answer(rng: random.Random, text: str) -> str:
    words = text.split()
    return ANSWER.format(
        words=" ".join(words[:4]),
        detail=" ".join(rng.sample(words, min(len(words), 6))),
        first=f"{rng.randint(2, 500)} requests were rejected between 09:{rng.randint(10, 59)} and 10:05 UTC.",
        second=f"The limit on your plan is {rng.choice((20, 50, 100, 1000))} per day.",
        next=rng.choice(("Upgrade the plan or wait for the daily reset.", "Ask an admin to grant the role.")),
    )


def synthetic_patterns(n: int, rng: random.Random, tail: list[str]) -> Iterator[Pattern]:
    causes = list(FAMILIES)
    now = datetime(2024, 5, 2, tzinfo=UTC)
    for i in range(n):
        cause = rng.choice(causes)
        problem_type, text = _text(rng, cause, tail)
        _, code, decision_class, _ = FAMILIES[cause]
        features = {"problem_type": problem_type, "surface": rng.choice(SURFACES)}
        if code:
            features["error_code"] = code
        features["answer_revision"] = f"{rng.random() * 0.3:.3f}"
        support = rng.randint(1, 20)
        checks = [CHECKS[0], *rng.sample(CHECKS[1:], rng.randint(2, 4))]
        yield Pattern(
            pattern_id=f"pat_{i:08d}",
            signature=text,
            problem_type=problem_type,
            features=features,
            decision_class=decision_class,
            cause=cause,
            checks=checks,
            confirming_check=checks[-1],
            answer_example=_answer(rng, text),
            support=support,
            ticket_ids=[f"T-{i:06d}-{j}" for j in range(support)],
            updated_at=now,
        )


def rss_mb() -> float:
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        found = re.search(r"^VmRSS:\s+(\d+) kB", status.read(), re.MULTILINE)
    assert found is not None
    return int(found.group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patterns", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--service", choices=("investigator", "drafter", "learner"), default="investigator")
    args = parser.parse_args()
    wiring = importlib.import_module(f"services.{args.service}.app")
    feed, held = wiring.pattern_memory(Settings())
    rng = random.Random(args.seed)
    tail = _tail_words(rng, 20_000)
    headers = codec.avro_headers("Pattern")
    empty = rss_mb()
    started = time.perf_counter()
    for pattern in synthetic_patterns(args.patterns, rng, tail):
        data = codec.encode(pattern)
        feed.apply(codec.decode(Pattern, data, headers))
        if not isinstance(held, PatternIndex):  # the learner also reads the topic back at its start
            held.restore({pattern.pattern_id: codec.decode(Pattern, data, headers)})
    build_s = time.perf_counter() - started
    full = rss_mb()
    print(f"service={args.service} patterns={len(feed.patterns)} build={build_s:.1f}s")
    print(f"RSS: {empty:.0f} MB without patterns, {full:.0f} MB with them (+{full - empty:.0f} MB)")
    if not isinstance(held, PatternIndex):
        return
    index = held
    intakes: list[IntakeSection] = []
    for _ in range(args.queries):
        cause = rng.choice(list(FAMILIES))
        problem_type, text = _text(rng, cause, tail)
        code = FAMILIES[cause][1]
        intakes.append(
            IntakeSection(
                requester_email="someone@example.com",
                problem_statement=text,
                problem_type=problem_type,
                error_signatures=[ErrorSignature(kind="error_code", value=code)] if code else [],
            )
        )
    k = 20 if args.service == "investigator" else 3  # PRIOR_MATCHES / the drafter's approved example
    for intake in intakes[:50]:  # warm-up
        index.similar(intake, k=k)
    timings: list[float] = []
    cpu: list[float] = []
    for intake in intakes:
        t0, c0 = time.perf_counter(), time.process_time()
        index.similar(intake, k=k)
        timings.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    for name, values in (("wall", timings), ("cpu", cpu)):  # cpu: this process only, for a busy machine
        values.sort()
        q = statistics.quantiles(values, n=100)
        print(
            f"similar() k={k} queries={len(values)} {name}: p50={q[49]:.3f} ms  p95={q[94]:.3f} ms  "
            f"p99={q[98]:.3f} ms  max={values[-1]:.3f} ms"
        )


if __name__ == "__main__":
    main()
