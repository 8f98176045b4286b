"""Find secrets in recorded cassettes (and any other text file under a directory).

Two kinds of evidence:

* **known values** — the sandbox's fixed test credentials and any ``LINKEDIN_CAPI_*``
  secret set in the environment, searched verbatim;
* **shapes** — ``Bearer <token>``, ``client_secret=…``/``refresh_token=…`` in form bodies and
  URLs, ``"access_token": "…"`` in JSON, and any ``Authorization``/``Cookie`` header or
  token-named field whose value is not the placeholder.

YAML folds long strings at spaces, so ``"access_token":`` and its value can land on two
lines of the file: shapes are also looked for in the parsed strings, and JSON bodies are
parsed and walked. Findings name the file, where and what matched, never the secret itself
(CI logs are public).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from _support.recording import REDACTED, SECRET_KEYS

#: Values that stand for a scrubbed secret.
PLACEHOLDERS = frozenset({REDACTED, "", "null", "None"})
_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

_NOT_PLACEHOLDER = rf"(?!{REDACTED}\b)"
PATTERNS: dict[str, re.Pattern[str]] = {
    "bearer token": re.compile(rf"Bearer\s+{_NOT_PLACEHOLDER}[A-Za-z0-9._~+/=-]{{12,}}"),
    "secret form field": re.compile(
        rf"(?<![A-Za-z0-9_])(?:client_secret|refresh_token|access_token|id_token|code)="
        rf"{_NOT_PLACEHOLDER}[^&\s\"'<]{{6,}}"
    ),
    "token in JSON": re.compile(
        rf'"(?:access_token|refresh_token|client_secret|id_token)"\s*:\s*"{_NOT_PLACEHOLDER}'
        r'[^"]{8,}"'
    ),
}


@dataclass(frozen=True)
class Finding:
    """One suspected secret: which file, where in it, and which rule matched."""

    path: Path
    where: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule} at {self.where}"


def _strings(value: Any, where: str = "") -> Iterator[tuple[str, str, str]]:
    """``(where, key, text)`` for every string in a parsed document; JSON strings walked too."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")
    elif isinstance(value, bytes | bytearray):
        yield from _strings(bytes(value).decode("utf-8", "replace"), where)
    elif isinstance(value, str):
        yield where, where.rsplit("/", 1)[-1].split("[", 1)[0], value
        stripped = value.strip()
        if stripped[:1] in "{[":
            try:
                parsed = json.loads(stripped)
            except ValueError:
                return
            yield from _strings(parsed, f"{where}<json>")


def _parse(path: Path, text: str) -> Any:
    try:
        if path.suffix == ".json":
            return json.loads(text)
        if path.suffix in {".yaml", ".yml"}:
            return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None
    return None


def scan_text(path: Path, text: str, known: Iterable[str]) -> list[Finding]:
    """Findings in one file's text (raw, and parsed when it is YAML or JSON)."""
    found: list[Finding] = []
    for i, secret in enumerate(known):
        if secret and secret in text:
            line = text[: text.index(secret)].count("\n") + 1
            found.append(Finding(path, f"line {line}", f"known secret #{i + 1}"))
    for rule, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append(Finding(path, f"line {line}", rule))
    for where, key, value in _strings(_parse(path, text)):
        lowered = key.lower()
        if (lowered in _SENSITIVE_HEADERS or lowered in SECRET_KEYS) and (
            value.strip() not in PLACEHOLDERS
        ):
            found.append(Finding(path, where, f"unscrubbed {lowered}"))
        # Parsed strings are unfolded: a shape split over two lines of the file shows here.
        found.extend(Finding(path, where, rule) for rule, p in PATTERNS.items() if p.search(value))
    return list(dict.fromkeys(found))


def scan(root: Path, known: Iterable[str]) -> list[Finding]:
    """Every finding in every file under ``root`` (cassettes, target files, anything)."""
    secrets = list(known)
    found: list[Finding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        found.extend(scan_text(path, text, secrets))
    return found
