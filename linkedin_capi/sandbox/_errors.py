"""The sandbox's own error: bad arguments to :class:`~linkedin_capi.sandbox.Sandbox` and its
controls, or a port it cannot listen on.

It is a :class:`ValueError` (like the SDK's ``ConfigError``) but not an SDK class: the
sandbox is an independent model of LinkedIn and imports nothing from the SDK.
"""

from __future__ import annotations


class SandboxError(ValueError):
    """A sandbox was configured or steered with a value it cannot use."""
