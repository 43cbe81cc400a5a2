"""Reading the content's YAML files: one reader, so every file gets the same errors and speed.

PyYAML's pure-Python parser took about half of a command's start-up (≈0.5 s of the 2.3 s a
`python -m bot sessions` took, every CLI call and every console chat): the content is parsed on
each start. libyaml's C parser (`CSafeLoader`, in PyYAML's wheels) reads the same safe subset
in a tenth of the time; the pure-Python loader stays the fallback where PyYAML was built
without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.engine.errors import ScriptError

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse YAML, reporting a missing file or a syntax error with the file name and line."""
    try:
        # A safe loader (CSafeLoader or SafeLoader): no Python objects are built from tags.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError:
        raise ScriptError(str(path), None, "(file)", "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ScriptError(str(path), None, where, f"not valid YAML: {exc}") from None
