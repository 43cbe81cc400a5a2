"""Decode a Bot API request body the three ways Telegram accepts it.

python-telegram-bot sends form-encoded bodies, or multipart/form-data when it uploads a file
(every non-file value then arrives as a string, objects JSON-encoded); other clients send JSON
or query strings. python-multipart is not installed in this project, so the small multipart
parser lives here (bytes-exact, so uploaded documents can be compared byte for byte).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .api_spec import UploadedFile, bad_request

_BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_RE = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))')


async def read_params(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters (query string + body) and uploaded files, with ``attach://`` resolved."""
    params: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    if not body:
        return params, files
    if mime == "application/json":
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise bad_request("JSON request body must be an object")
        params.update(data)
    elif mime == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif mime == "multipart/form-data":
        boundary = _BOUNDARY_RE.search(content_type)
        if boundary is None:
            raise bad_request("multipart request without boundary")
        for name, filename, part_type, data in _parts(body, boundary.group(1).encode()):
            if filename is None:
                params[name] = data.decode("utf-8")
            else:
                files[name] = UploadedFile(filename, data, part_type)
    else:
        raise bad_request(f"unsupported Content-Type {mime!r}")
    attached = set()
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files[value[9:]]
            attached.add(value[9:])
    for name, upload in files.items():
        if name not in attached and name not in params:
            params[name] = upload
    return params, files


def _unquote(value: str) -> str:
    """Undo httpx's HTML5 form-param escaping."""
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n").replace("\\\\", "\\")


def _parts(body: bytes, boundary: bytes) -> Iterator[tuple[str, str | None, str | None, bytes]]:
    """Yield (name, filename, content type, data) per part."""
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            return
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise bad_request("malformed multipart body")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        attrs = {
            match.group(1).lower(): _unquote(match.group(2) or match.group(3) or "")
            for match in _DISPOSITION_RE.finditer(headers.get("content-disposition", ""))
        }
        if "name" not in attrs:
            raise bad_request("multipart part without a name")
        data = data[:-2] if data.endswith(b"\r\n") else data  # CRLF before the delimiter
        yield attrs["name"], attrs.get("filename"), headers.get("content-type"), data
