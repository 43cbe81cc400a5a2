"""Reading one HTTP/1.1 response, strictly, for bot/telegram/transport.py.

Strict because a response we misread would be attributed to the wrong request on a reused
connection: anything unexpected raises MalformedResponseError and the caller drops the
connection. Bounded (head 64 KiB via the stream's limit, body 64 MiB) so a broken server cannot
exhaust memory.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Callable

from bot.errors import ParleyError

MAX_HEAD = 64 * 1024  # status line + headers
MAX_BODY = 64 * 1024 * 1024
_STATUS = re.compile(rb"HTTP/1\.([01]) ([1-9]\d\d)(?: [^\x00-\x08\x0a-\x1f\x7f]*)?")
_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*")
_CHUNK = re.compile(rb"([0-9A-Fa-f]{1,15})[ \t]*(?:;[^\r\n]*)?")


class MalformedResponseError(ParleyError):
    """The server's answer is not HTTP/1.1 we can trust; the connection is discarded."""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one response; strict, raising MalformedResponseError."""
    while True:
        lines = (await reader.readuntil(b"\r\n\r\n"))[:-4].split(b"\r\n")
        match = _STATUS.fullmatch(lines[0])
        if match is None:
            raise MalformedResponseError("status line")
        status = int(match[2])
        if not 100 <= status < 200 or status == 101:
            break  # 1xx informational answers precede the real one
    if status == 101:
        raise MalformedResponseError("unexpected protocol switch")
    headers: dict[bytes, list[bytes]] = {}
    for line in lines[1:]:
        field = _HEADER.fullmatch(line)
        if field is None:
            raise MalformedResponseError("header line")
        headers.setdefault(field[1].lower(), []).append(field[2])
    tokens = b",".join(headers.get(b"connection", [])).lower().replace(b" ", b"").split(b",")
    keep_alive = match[1] == b"1" and b"close" not in tokens
    lengths = set(headers.get(b"content-length", []))
    chunked = headers.get(b"transfer-encoding")
    if chunked is not None and (lengths or [v.lower() for v in chunked] != [b"chunked"]):
        raise MalformedResponseError("transfer-encoding")
    if len(lengths) > 1 or not all(v.isdigit() and len(v) < 12 for v in lengths):
        raise MalformedResponseError("content-length")
    if status in (204, 304):
        body = b""
    elif chunked is not None:
        body = await _read_chunked(reader)
    elif lengths:
        size = int(next(iter(lengths)))
        if size > MAX_BODY:
            raise MalformedResponseError("body too large")
        body = await reader.readexactly(size)
    else:  # delimited by the server closing the connection
        body, keep_alive = await _read_to_eof(reader), False
    return status, _decoded(body, headers.get(b"content-encoding", [b"identity"])), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    pieces: list[bytes] = []
    total = 0
    while True:
        size_line = _CHUNK.fullmatch((await reader.readuntil(b"\r\n"))[:-2])
        if size_line is None:
            raise MalformedResponseError("chunk size")
        size = int(size_line[1], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, ignored
                pass
            return b"".join(pieces)
        total += size
        if total > MAX_BODY:
            raise MalformedResponseError("body too large")
        pieces.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise MalformedResponseError("chunk end")


async def _read_to_eof(reader: asyncio.StreamReader) -> bytes:
    pieces: list[bytes] = []
    while piece := await reader.read(65536):
        pieces.append(piece)
        if sum(map(len, pieces)) > MAX_BODY:
            raise MalformedResponseError("body too large")
    return b"".join(pieces)


_DECODERS: dict[bytes, Callable[[bytes], bytes]] = {
    b"identity": lambda body: body,
    b"gzip": lambda body: zlib.decompress(body, 16 + zlib.MAX_WBITS),
    b"deflate": zlib.decompress,
}


def _decoded(body: bytes, encodings: list[bytes]) -> bytes:
    """We ask for identity; a server that compresses anyway still gets understood."""
    for encoding in reversed(b",".join(encodings).split(b",")):
        decoder = _DECODERS.get(encoding.strip().lower())
        if decoder is None:
            raise MalformedResponseError("content-encoding")
        try:
            body = decoder(body)
        except zlib.error as exc:
            raise MalformedResponseError("compressed body") from exc
    return body
