"""The official Bot API spec, used to keep the fake server honest.

A fake that accepts anything hides the bugs it exists to catch: a misspelt method or parameter
name, or a missing required parameter, would pass against the fake and fail against Telegram.
So every request is checked against the machine-readable spec vendored in ``tests/vendor/telegram-bot-api``, and
parameters arriving as strings (form-encoded or multipart, as python-telegram-bot sends them)
are decoded to the types the spec declares, so the method implementations see JSON values.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]

SPEC_ENV_VAR = "PARLEY_BOT_API_SPEC"
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "vendor" / "telegram-bot-api" / "api.json"
_INT_RE = re.compile(r"-?\d+")


class ApiError(Exception):
    """A Bot API error answer; raised anywhere in the fake, turned into JSON by the server."""

    def __init__(self, error_code: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram would send for this error."""
        body: JsonDict = {"ok": False, "error_code": self.error_code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """Shorthand for the 400 errors that make up most of Telegram's complaints."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (what ``sendDocument`` uploads)."""

    filename: str
    content: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method as the spec declares it."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its canonical name and parameters."""

    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)


class ApiSpec:
    """Method lookup (case-insensitive, like Telegram) and parameter validation."""

    def __init__(self, path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = str(data.get("version", "?"))
        self.methods: dict[str, MethodSpec] = {}
        for name, raw in data["methods"].items():
            fields = {
                f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]))
                for f in raw.get("fields", [])
            }
            self.methods[name.lower()] = MethodSpec(name, fields)

    def lookup(self, method: str) -> MethodSpec | None:
        """The method's spec, or None when Telegram would answer 404."""
        return self.methods.get(method.lower())

    def validate(self, method: MethodSpec, params: dict[str, Any]) -> dict[str, Any]:
        """Reject unknown/missing parameters and decode values to their declared types."""
        decoded: dict[str, Any] = {}
        for name, value in params.items():
            spec = method.fields.get(name)
            if spec is None:
                raise bad_request(f"unknown parameter {name} for method {method.name}")
            decoded[name] = _decode(spec, value)
        for spec in method.fields.values():
            if spec.required and decoded.get(spec.name) is None:
                raise bad_request(f"parameter {spec.name} is required")
        return {k: v for k, v in decoded.items() if v is not None}


def _decode(spec: FieldSpec, value: Any) -> Any:
    """Turn a (possibly string-encoded) value into the JSON value the spec's types call for."""
    types = spec.types
    if value is None or isinstance(value, UploadedFile):
        if isinstance(value, UploadedFile) and "InputFile" not in types:
            raise bad_request(f"parameter {spec.name} can't be a file upload")
        return value
    if isinstance(value, str):
        if "Integer" in types and _INT_RE.fullmatch(value.strip()):
            return int(value)
        if "String" in types:
            return value
        if "Boolean" in types:
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0", ""):
                return False
            raise bad_request(f"parameter {spec.name} must be a Boolean")
        if "Float" in types:
            try:
                return float(value)
            except ValueError:
                raise bad_request(f"parameter {spec.name} must be a Float") from None
        if types == ("Integer",):
            raise bad_request(f"parameter {spec.name} must be an Integer")
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {spec.name} JSON object") from None
    _check_type(spec, value)
    return value


def _check_type(spec: FieldSpec, value: Any) -> None:
    """Loose structural check of a JSON value against the declared types."""
    ok = False
    for type_name in spec.types:
        if type_name == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif type_name == "Boolean":
            ok = isinstance(value, bool)
        elif type_name == "String":
            ok = isinstance(value, str)
        elif type_name.startswith("Array of"):
            ok = isinstance(value, list)
        elif type_name == "InputFile":
            ok = False
        else:
            ok = isinstance(value, dict)
        if ok:
            return
    raise bad_request(f"parameter {spec.name} must be {' or '.join(spec.types)}")


def spec_path() -> Path:
    """Where the spec lives: ``$PARLEY_BOT_API_SPEC`` if set, else the vendored copy."""
    override = os.environ.get(SPEC_ENV_VAR)
    return Path(override) if override else DEFAULT_SPEC_PATH


def load_spec(path: Path | None = None) -> ApiSpec:
    """Load (once per path) the spec; a missing file is a loud error, not a lenient fake."""
    resolved = (path or spec_path()).resolve()
    if not resolved.is_file():
        raise FileNotFoundError(
            f"Telegram Bot API spec not found at {resolved}; set {SPEC_ENV_VAR} to its path"
        )
    return _load(resolved)


@lru_cache(maxsize=4)
def _load(path: Path) -> ApiSpec:
    return ApiSpec(path)
