"""Review console wiring: the Starlette web app over the store, the Kafka feed and publisher.

Pages are server-rendered Jinja2 with autoescaping on every template and no script at all
(the Content-Security-Policy forbids scripts), so ticket text renders as text. An agent logs
in (Argon2 hashes, a signed session cookie), sees only their team's queues, and every form
post carries the session's CSRF token. The store's blocking calls run in a thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from services.console import review
from services.console.access import csrf_ok, csrf_token, verify_password
from services.console.feed import Publisher, Sender, ingest, republish, send_recorded, supervised
from services.console.store import CaseStore, StoredCase
from supportflow import metrics
from supportflow.events import DECISION_CLASSES, CaseResolved
from supportflow.settings import Settings, load_domain_for

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
    )
    env.filters["age"] = age
    env.filters["label"] = lambda value: str(value or "—").replace("_", " ")
    return Jinja2Templates(env=env)


def age(moment: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class Console:
    """The handlers, holding the store, the publisher (None: actions stay pending) and routes."""

    def __init__(
        self,
        store: CaseStore,
        publisher: Sender | None,
        routes: dict[str, Any],
        attributes: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.store, self.publisher, self.routes = store, publisher, routes
        self.attributes = attributes or {}  # cause -> what its hypothesis's checks are run for
        self.templates = templates()

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context |= {"agent": request.session.get("agent"), "team": request.session.get("team")}
        context["csrf"] = csrf_token(request.session)
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- login --------------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        return self.render(request, "login.html", error=None)

    async def login(self, request: Request) -> Response:
        form = await request.form(max_fields=10)
        if not csrf_ok(request.session, form.get("csrf")):
            return self.render(request, "login.html", 403, error="Your session expired: try again.")
        username, password = str(form.get("username", ""))[:128], str(form.get("password", ""))
        agent = await asyncio.to_thread(self.store.agent, username)
        # an unknown name is checked against a dummy hash: it takes as long as a wrong password
        verified = await asyncio.to_thread(verify_password, agent[1] if agent else None, password)
        if agent is None or not verified:
            return self.render(request, "login.html", 401, error="Unknown agent or wrong password.")
        request.session.clear()  # a new session on login: no fixation
        request.session.update({"agent": username, "team": agent[0], "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse("/", status_code=303)

    async def logout(self, request: Request) -> Response:
        form = await request.form(max_fields=10)
        if csrf_ok(request.session, form.get("csrf")):
            request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- pages --------------------------------------------------------------------------

    async def queues(self, request: Request, team: str) -> Response:
        summaries = await asyncio.to_thread(self.store.queues, team)
        return self.render(request, "queues.html", queues=summaries)

    async def queue(self, request: Request, team: str) -> Response:
        name = request.path_params["queue"]
        offset = max(0, _int(request.query_params.get("offset"), 0))
        cases = await asyncio.to_thread(self.store.queue_cases, team, name, 100, offset)
        return self.render(request, "queue.html", queue=name, cases=cases, offset=offset)

    async def search(self, request: Request, team: str) -> Response:
        text = request.query_params.get("q", "")[:256]
        found = await asyncio.to_thread(self.store.search, team, text)
        return self.render(request, "search.html", q=text, cases=found)

    async def case_page(self, request: Request, team: str) -> Response:
        stored = await asyncio.to_thread(self.store.case, request.path_params["ticket_id"])
        if stored is None:
            return self.render(request, "error.html", 404, message="No such case.")
        if stored.summary.team != team:
            return self.render(request, "error.html", 403, message="This case belongs to another team.")
        return await self._case(request, stored)

    async def _case(
        self, request: Request, stored: StoredCase, status: int = 200, error: str | None = None
    ) -> Response:
        ticket_id = stored.summary.ticket_id
        incident_id = stored.case.decision.incident_id if stored.case.decision else None
        incident = await asyncio.to_thread(self.store.incident, incident_id) if incident_id else None
        actions = await asyncio.to_thread(self.store.actions, ticket_id)
        return self.render(
            request,
            "case.html",
            status,
            stored=stored,
            case=stored.case,
            incident=incident,
            actions=actions,
            error=error,
            labels=review.LABELS,
            classes=DECISION_CLASSES,
            queues=sorted(self.routes),
            notice=request.query_params.get("done"),
        )

    async def act(self, request: Request, team: str) -> Response:
        form = await request.form(max_fields=80, max_part_size=256 * 1024)
        if not csrf_ok(request.session, form.get("csrf")):
            return self.render(request, "error.html", 403, message="Your session expired: reload the case.")
        stored = await asyncio.to_thread(self.store.case, request.path_params["ticket_id"])
        if stored is None:
            return self.render(request, "error.html", 404, message="No such case.")
        if stored.summary.team != team:
            return self.render(request, "error.html", 403, message="This case belongs to another team.")
        summary = stored.summary
        standing = review.Standing(
            summary.revision, summary.status, summary.decision_class, stored.cause, summary.queue, team
        )
        fields = {k: str(form.get(k, "")) for k in ("action", "reply", "decision_class", "cause", "queue")}
        try:
            outcome = review.resolution(
                stored.case,
                standing,
                review.Review(
                    action=fields["action"],  # type: ignore[arg-type]  # checked by resolution()
                    agent=str(request.session["agent"]),
                    team=team,
                    revision=_int(str(form.get("revision", "")), -1),
                    reply=fields["reply"],
                    decision_class=fields["decision_class"],
                    cause=fields["cause"],
                    queue=fields["queue"],
                    settled_by=tuple(str(v) for v in form.getlist("settled_by"))[:40],
                ),
                self.routes,
                datetime.now(UTC),
                self.attributes,
            )
        except review.ReviewError as exc:
            # a double click or a retry of an action already taken lands where the first did
            repeat = review.event_id(
                summary.ticket_id, _int(str(form.get("revision", "")), -1), fields["action"], fields["queue"]
            )
            taken = await asyncio.to_thread(self.store.actions, summary.ticket_id)
            if any(a.event_id == repeat and a.action == fields["action"] for a in taken):
                return RedirectResponse(f"/cases/{summary.ticket_id}?done=1", status_code=303)
            return await self._case(request, stored, 409, str(exc))
        route = outcome.route
        action, created = await asyncio.to_thread(
            self.store.record_action,
            outcome.resolved,
            status=outcome.status,
            route=(route.queue, route.team, outcome.resolved.final_cause, outcome.resolved.final_class)
            if route
            else None,
        )
        if created:
            count_action(outcome.resolved, summary.queue)
            if self.publisher is not None:
                await send_recorded(self.store, self.publisher, action.resolved)
        target = "/" if route is not None and route.team != team else f"/cases/{summary.ticket_id}?done=1"
        return RedirectResponse(target, status_code=303)

    # --- plumbing -----------------------------------------------------------------------

    def signed_in(
        self, page: str, handler: Callable[[Request, str], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`handler(request, team)` for signed-in agents, timed as `page`. The team is read from
        the database on every request, so a moved or removed agent loses access at once."""

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            username = request.session.get("agent")
            agent = await asyncio.to_thread(self.store.agent, username) if isinstance(username, str) else None
            if agent is None:
                request.session.clear()
                if request.method == "GET":
                    return RedirectResponse("/login", status_code=303)
                return PlainTextResponse("sign in first", status_code=401)
            request.session["team"] = agent[0]
            response = await handler(request, agent[0])
            metrics.CONSOLE_PAGE_SECONDS.labels(page).observe(time.perf_counter() - started)
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return response

        return endpoint

    async def metrics_page(self, request: Request) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")


def count_action(resolved: CaseResolved, router_queue: str) -> None:
    metrics.CONSOLE_ACTIONS.labels(resolved.action).inc()
    if resolved.action in ("approve", "edit_approve", "engineering_follow_up"):
        metrics.CONSOLE_DRAFTS_REVIEWED.inc()
        metrics.CONSOLE_EDIT_DISTANCE.observe(resolved.edit_distance or 0.0)
        if resolved.draft_edited:
            metrics.CONSOLE_DRAFTS_REVISED.inc()
    if resolved.engineering_follow_up:
        metrics.CONSOLE_ENGINEERING_FOLLOW_UPS.inc()
    if resolved.action == "reroute":
        metrics.CONSOLE_MISROUTES.labels(router_queue).inc()


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def build(settings: Settings, store: CaseStore, publisher: Sender | None = None) -> Starlette:
    """The console app. Without a `publisher` its lifespan runs the Kafka feed and publisher;
    with one (tests) there is no feed and actions are published through it."""
    domain = load_domain_for(settings)
    routes = review.routing_table(domain.routing)
    attributes = {
        str(spec.get("cause") or cause): dict(spec.get("attributes") or {})
        for cause, spec in (domain.playbooks.get("hypotheses") or {}).items()
    }
    kafka = Publisher(settings) if publisher is None else None
    console = Console(store, publisher or kafka, routes, attributes)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if kafka is None:
            yield
            return
        await kafka.start()
        tasks = [
            asyncio.create_task(supervised("feed", lambda: ingest(settings, store, kafka))),
            asyncio.create_task(supervised("republisher", lambda: republish(store, kafka))),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await kafka.stop()

    secret = settings.console_secret.get_secret_value() if settings.console_secret else secrets.token_hex(32)
    return Starlette(
        routes=[
            Route("/login", console.login_page, methods=["GET"]),
            Route("/login", console.login, methods=["POST"]),
            Route("/logout", console.logout, methods=["POST"]),
            Route("/", console.signed_in("queues", console.queues)),
            Route("/queues/{queue}", console.signed_in("queue", console.queue)),
            Route("/search", console.signed_in("search", console.search)),
            Route("/cases/{ticket_id}", console.signed_in("case", console.case_page)),
            Route("/cases/{ticket_id}/actions", console.signed_in("action", console.act), methods=["POST"]),
            Route("/metrics", console.metrics_page),
            Route("/health", console.health),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=secret, same_site="strict", max_age=12 * 3600),
        ],
        lifespan=lifespan,
    )


def serve(settings: Settings, store: CaseStore, host: str, port: int) -> None:
    import uvicorn

    app = build(settings, store)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)).run()
