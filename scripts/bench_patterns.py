"""Similar-case lookup latency at scale: `python scripts/bench_patterns.py [--patterns 100000]`.

Builds a PatternIndex of synthetic patterns shaped like the demo world's (12 cause families,
their error codes and vocabulary, plus a long tail of ticket words) and times `similar()` for
random tickets. Prints p50/p95/p99 in milliseconds. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from supportflow.events import ErrorSignature, IntakeSection, Pattern
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


def build(n: int, rng: random.Random, tail: list[str]) -> PatternIndex:
    index = PatternIndex()
    causes = list(FAMILIES)
    now = datetime(2024, 5, 2, tzinfo=UTC)
    for i in range(n):
        cause = rng.choice(causes)
        problem_type, text = _text(rng, cause, tail)
        _, code, decision_class, _ = FAMILIES[cause]
        features = {"problem_type": problem_type, "surface": rng.choice(SURFACES)}
        if code:
            features["error_code"] = code
        index.add(
            Pattern(
                pattern_id=f"pat_{i:08d}",
                signature=text,
                problem_type=problem_type,
                features=features,
                decision_class=decision_class,
                cause=cause,
                support=rng.randint(1, 20),
                updated_at=now,
            )
        )
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patterns", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tail = _tail_words(rng, 20_000)
    started = time.perf_counter()
    index = build(args.patterns, rng, tail)
    build_s = time.perf_counter() - started
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
    for intake in intakes[:50]:  # warm-up
        index.similar(intake)
    timings: list[float] = []
    for intake in intakes:
        t0 = time.perf_counter()
        index.similar(intake, k=5)
        timings.append((time.perf_counter() - t0) * 1000.0)
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    print(f"patterns={len(index)} build={build_s:.1f}s queries={len(timings)}")
    print(
        f"similar() k=5: p50={q[49]:.3f} ms  p95={q[94]:.3f} ms  p99={q[98]:.3f} ms  max={timings[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
