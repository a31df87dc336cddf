"""Content-Encoding undone incrementally, with a cap on the decoded bytes across every layer (pure; zlib).

:class:`BoundedDecoder` takes the raw body in chunks and undoes each listed
encoding (``gzip``, ``deflate``, ``identity``; outermost last, as
``Content-Encoding`` lists them) with zlib's ``max_length``, so no single step
of any layer ever produces more than :data:`CHUNK` bytes. It raises
:class:`TooLarge` as soon as the final decoded size passes ``max_bytes``:
however a bomb is nested (``gzip, gzip, gzip`` …), memory stays within about
``max_bytes + layers × CHUNK``. An unknown encoding, too many layers, or a
corrupt stream raises :class:`Undecodable`.
"""

from __future__ import annotations

import zlib
from typing import Protocol

CHUNK = 64 * 1024  # the most one decompression step of one layer may produce


class TooLarge(Exception):
    """The decoded body passed the cap."""


class Undecodable(Exception):
    """The body is not in the encodings it claims (or in one we do not undo)."""


class _Layer(Protocol):
    """One encoding being undone: zlib's decompress object, or :class:`_Deflate`."""

    def decompress(self, data: bytes, max_length: int, /) -> bytes: ...

    @property
    def unconsumed_tail(self) -> bytes: ...


class _Deflate:
    """zlib-wrapped deflate, or raw deflate when the first bytes say so (servers send both as "deflate")."""

    def __init__(self) -> None:
        self._obj: _Layer | None = None

    def decompress(self, data: bytes, limit: int) -> bytes:
        if self._obj is None:
            self._obj = zlib.decompressobj()
            try:
                return self._obj.decompress(data, limit)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._obj.decompress(data, limit)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._obj.unconsumed_tail if self._obj is not None else b""


def _layer(name: str) -> _Layer | None:
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Deflate()
    if name == "identity":
        return None
    raise Undecodable(f"unsupported content encoding {name!r}")


def encodings(header: str | None) -> list[str]:
    """The encodings a ``Content-Encoding`` value lists, in the order they were applied."""
    return [e.strip().lower() for e in (header or "").split(",") if e.strip()]


class BoundedDecoder:
    """Undoes ``encodings`` (as applied, first to last) with the decoded size capped at ``max_bytes``."""

    def __init__(self, applied: list[str], max_bytes: int, max_layers: int) -> None:
        if len(applied) > max_layers:
            raise Undecodable(f"{len(applied)} content encodings (the limit is {max_layers})")
        layers = (_layer(name) for name in reversed(applied))  # the last applied is undone first
        self._layers = [layer for layer in layers if layer is not None]
        self._max, self.size = max_bytes, 0
        self._parts: list[bytes] = []
        self.largest_step = 0  # the most any one step produced (the tests' proof of boundedness)

    def feed(self, raw: bytes) -> None:
        """Decode one raw chunk; raises TooLarge past the cap, Undecodable on a corrupt stream."""
        try:
            self._push(0, raw)
        except zlib.error as exc:
            raise Undecodable(str(exc)) from exc

    def body(self) -> bytes:
        return b"".join(self._parts)

    def _push(self, depth: int, data: bytes) -> None:
        if depth == len(self._layers):
            self._emit(data)
            return
        layer = self._layers[depth]
        while True:
            out = layer.decompress(data, CHUNK)
            self.largest_step = max(self.largest_step, len(out))
            data = layer.unconsumed_tail
            if out:
                self._push(depth + 1, out)
            if not data and len(out) < CHUNK:  # input used up and zlib holds nothing more back
                return

    def _emit(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max:
            raise TooLarge(f"response too large: more than {self._max:,} bytes")
        self._parts.append(data)

