"""Run an app under uvicorn on a socket we bind ourselves (a clear error when the port is taken)."""

from __future__ import annotations

import ipaddress
import logging
import socket

import uvicorn
from fastapi import FastAPI

from pipeline.errors import InputError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; a name or 0.0.0.0 counts as exposed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); InputError when the address cannot be used."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted connections: without it a keep-alive client waits ~40 ms per
        # answer (Nagle holding the body until the client's delayed ACK of the headers).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, OverflowError) as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc}") from exc
    return sock


def serve(app: FastAPI, sock: socket.socket) -> None:
    """Serve until SIGTERM or SIGINT; in-flight requests finish (up to 10 s), then it returns."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=10, server_header=False)
    server = uvicorn.Server(config)
    host, port = sock.getsockname()[:2]
    log.info("serving on http://%s:%d/", host, port)
    server.run(sockets=[sock])
    log.info("stopped")
