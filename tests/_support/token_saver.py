"""Child process of the kill-during-save test: saves tokens in a loop until killed.

argv: ``path``. Prints ``ready`` once the store is built, then saves up to 100,000 tokens.
Only the tokens module (and the errors it names) is imported, not the whole package:
``linkedin_capi/__init__`` pulls in Polars, which would make each of the 20 children
take a second to start.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "linkedin_capi"


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    for package, where in (("linkedin_capi", ROOT), ("linkedin_capi.client", ROOT / "client")):
        stub = types.ModuleType(package)
        stub.__path__ = [str(where)]
        sys.modules[package] = stub
    _load("linkedin_capi.errors", ROOT / "errors.py")
    tokens = _load("linkedin_capi.client.tokens", ROOT / "client" / "tokens.py")
    from pydantic import SecretStr

    store = tokens.FileTokenStore(sys.argv[1])
    print("ready", flush=True)
    for i in range(100_000):
        store.save(
            tokens.Token(
                access_token=SecretStr(f"AT-child-secret-{i}-" + "x" * 2000),
                refresh_token=SecretStr(f"RT-child-secret-{i}"),
                expires_at=float(i),
            )
        )


if __name__ == "__main__":
    main()
