"""The examples in the rules/accounts/config docstrings run as written."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from linkedin_capi import config
from linkedin_capi.client import restli as _restli
from linkedin_capi.resources import accounts, rule_settings, rules


@pytest.mark.parametrize(
    "module", [rules, rule_settings, accounts, config, _restli], ids=lambda m: m.__name__
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.attempted > 0
    assert result.failed == 0
