"""Connections that reach public addresses only: the check sits where the socket is opened.

:class:`PublicOnlyBackend` is an httpcore network backend. For every new
connection it resolves the host name once, checks each address with
:func:`pipeline.poller.addresses.non_public_reason` and connects to an address
it has just checked, never to the name. So a name that resolves to a public
address for a check and to 127.0.0.1 a moment later (DNS rebinding) cannot
slip through, and neither can a redirect, a robots.txt or a pooled connection:
every socket of the pool using this backend was opened to a checked address.
A destination with no public address raises :class:`RefusedAddress`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable

import httpcore

from pipeline.poller.addresses import non_public_reason

Resolve = Callable[[str, int], list[str]]
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]  # httpcore's


class RefusedAddress(Exception):
    """The destination resolves only to addresses the fetch policy forbids (not retried)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to for TCP, in the resolver's order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PublicOnlyBackend(httpcore.NetworkBackend):
    """Opens TCP connections to public addresses only; see the module docstring."""

    def __init__(self, resolver: Resolve = resolve,
                 check: Callable[[str], str | None] = non_public_reason) -> None:
        self._resolve, self._check = resolver, check
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SocketOption] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        refused: list[str] = []
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for ip in addresses:
            reason = self._check(ip)
            if reason:
                refused.append(f"{ip}, {reason}" if ip != host else reason)
                continue
            try:  # the address just checked, not the name: nothing can change in between
                return self._inner.connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        if failure is not None:
            raise failure
        raise RefusedAddress(f"{host} is {refused[0]}" if refused else f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[SocketOption] | None = None) -> httpcore.NetworkStream:
        raise RefusedAddress("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
