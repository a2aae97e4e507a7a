"""A fake Rasa on loopback: a real HTTP server whose answers come from a handler written against
httpx's Request and Response, so that tests fake Rasa at the network boundary whatever HTTP
client the application uses to reach it."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable, Iterator

import httpx

from tests.servers import serving

# Nothing listens there: "Rasa is down" as a refused connection. (Port 9 is not served on test
# machines, and the kernel never hands it out to the tests' own servers.)
REFUSED_URL = "http://127.0.0.1:9"

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]

# set again here for the body actually sent
_SET_BY_SERVER = {b"content-length", b"transfer-encoding"}


class _Rasa:
    """A raw ASGI app: every request, whatever its method and path, goes to the handler."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.errors: list[BaseException] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        host, port = scope["server"]
        path = scope.get("raw_path") or scope["path"].encode()
        query = b"?" + scope["query_string"] if scope["query_string"] else b""
        url = f"{scope['scheme']}://{host}:{port}{(path + query).decode('latin-1')}"
        request = httpx.Request(scope["method"], url, headers=scope["headers"], content=body)
        try:
            response = self.handler(request)
            if inspect.isawaitable(response):
                response = await response
            content = await response.aread()
        except Exception as error:
            # httpx.ConnectError and the like mean "Rasa is down"; anything else is the handler's
            # own bug, raised again when the server stops so that it fails the test
            if not isinstance(error, httpx.TransportError):
                self.errors.append(error)
            response, content = httpx.Response(503), b""
        headers = [(name, value) for name, value in response.headers.raw if name.lower() not in _SET_BY_SERVER]
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": content})


@contextlib.contextmanager
def rasa_serving(handler: Handler, port: int | None = None) -> Iterator[str]:
    """Serves ``handler`` (plain or ``async def``) on 127.0.0.1; yields the server's URL. A handler
    that raises is answered 503 to the client."""
    app = _Rasa(handler)
    with serving(app, port=port) as url:
        yield url
    if app.errors:
        raise app.errors[0]


def helpline_opener(content, sessions, rasa_url: str):
    """What create_app takes to open the helpline: one on ``rasa_url``, its Rasa client closed after."""
    from bot.helpline import Helpline
    from bot.nlu.client import RasaClient

    @contextlib.asynccontextmanager
    async def opened():
        client = RasaClient(rasa_url)
        try:
            yield Helpline(content, client, sessions)
        finally:
            await client.aclose()

    return opened
