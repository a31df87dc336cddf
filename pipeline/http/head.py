"""HEAD on every GET route: the GET answer's status and headers without its body (RFC 9110 §9.3.2).

FastAPI routes a GET only (``HEAD /health`` would be 405), while monitors and link checkers send HEAD.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a HEAD request runs as GET; every body chunk of the answer is dropped.

    The server keeps the real method in its own scope (this passes a copy), so it frames the answer as
    HEAD's; a streamed answer is produced and discarded, as GET would have produced it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
