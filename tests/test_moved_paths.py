"""Import paths of the first release keep working (with a FutureWarning) after the move."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import linkedin_capi
from linkedin_capi._moved import MOVED, SHADOWED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_path_imports_the_module_it_moved_to(old: str, new: str) -> None:
    # a fresh interpreter: this process has imported the new modules already
    code = (
        "import warnings, importlib\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    old = importlib.import_module({old!r})\n"
        f"new = importlib.import_module({new!r})\n"
        "assert old is new, (old, new)\n"
        f"assert new.__spec__.name == {new!r}, new.__spec__.name\n"
        f"assert any({new!r} in str(w.message) for w in caught), [str(w.message) for w in caught]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize(("old", "new"), sorted(SHADOWED.items()))
def test_a_shadowed_path_names_the_new_module_and_keeps_the_function(old: str, new: str) -> None:
    function = getattr(linkedin_capi, old.rsplit(".", 1)[1])
    with pytest.raises(ModuleNotFoundError, match=new.replace(".", r"\.")):
        importlib.import_module(old)
    assert getattr(linkedin_capi, old.rsplit(".", 1)[1]) is function
    assert callable(function)


def test_every_moved_target_exists() -> None:
    for new in [*MOVED.values(), *SHADOWED.values()]:
        assert importlib.util.find_spec(new) is not None, new
