"""Who may call the service: requests must name an allowed host (a web page whose name an attacker
points at this machine, DNS rebinding, names its own host and gets 421), and, when the service has
a token, carry it (``Authorization: Bearer <token>``, compared in constant time; 401 otherwise).
The health check, the API description, the docs (with their assets) and the upload page stay open."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from dlint.server.problems import Problem, problem_response
from dlint.server.settings import ServerSettings, host_name

#: Paths answered without the token: the health check, the API description and docs, and the upload
#: page (which asks for the token, and sends it with the upload).
OPEN_PATHS = frozenset({"/", "/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
#: Where the docs' scripts, styles and icon are served (open too, as the docs are).
DOCS_ASSETS = "/docs/assets"


class Guard:
    """ASGI middleware: the host allowlist, then the bearer token."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.hosts = settings.hosts()
        self.token = settings.token.encode() if settings.token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = self.refusal(scope)
            if problem is not None:
                await problem_response(problem)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> Problem | None:
        headers = Headers(scope=scope)
        host = headers.get("host")
        if host is not None and "*" not in self.hosts and host_name(host) not in self.hosts:
            detail = f"this service does not answer for the host {host!r} (see --allowed-host)"
            return Problem(421, "host-not-allowed", detail)
        if self.token is None or is_open(scope["path"]):
            return None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token):
            return None
        detail = "send the service's token as Authorization: Bearer <token>"
        return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="dlint"'})


def is_open(path: str) -> bool:
    """Whether ``path`` is answered without the token."""
    return path in OPEN_PATHS or path.startswith(f"{DOCS_ASSETS}/")
