"""OAuth tokens and where they are kept between sessions.

A :class:`Token` stores *absolute* expiry times (epoch seconds). oauthlib recomputes
``expires_at = now + expires_in`` when only ``expires_in`` is present, so a token persisted
without its absolute expiry would look fresh again after every reload
(shared/docs/ecosystem.md §3.2).

Stores follow the :class:`TokenStore` protocol (``load``/``save``):
:class:`MemoryTokenStore` (the default) and :class:`FileTokenStore` (JSON, written
atomically with mode 0600).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import platformdirs
from pydantic import SecretStr

from linkedin_capi.errors import ConfigError

__all__ = [
    "TOKEN_FILE_VAR",
    "FileTokenStore",
    "MemoryTokenStore",
    "Token",
    "TokenStore",
    "default_token_file",
]


@dataclass(frozen=True)
class Token:
    """An access token, its refresh token and when each expires.

    Secrets are :class:`pydantic.SecretStr`, so reprs, logs and notebook output show
    ``**********``; call ``.get_secret_value()`` only where the value is sent.

    Attributes
    ----------
    access_token : SecretStr or None
    expires_at : float or None
        Epoch seconds when the access token expires; ``None`` when unknown.
    refresh_token : SecretStr or None
    refresh_token_expires_at : float or None
        Epoch seconds when the refresh token expires (LinkedIn: 365 days after consent).
    scope : str or None

    Examples
    --------
    >>> t = Token.from_response({"access_token": "AQX", "expires_in": 60}, now=1000.0)
    >>> t.expires_at
    1060.0
    >>> t
    Token(access_token=SecretStr('**********'), expires_at=1060.0, refresh_token=None, ...)
    """

    access_token: SecretStr | None = None
    expires_at: float | None = None
    refresh_token: SecretStr | None = None
    refresh_token_expires_at: float | None = None
    scope: str | None = None

    def __repr__(self) -> str:
        return (
            f"Token(access_token={self.access_token!r}, expires_at={self.expires_at!r}, "
            f"refresh_token={self.refresh_token!r}, ...)"
        )

    @classmethod
    def from_response(
        cls, payload: Mapping[str, Any], *, now: float, previous: Token | None = None
    ) -> Token:
        """Build a token from a token-endpoint answer (``expires_in`` → absolute times).

        A refresh answer without a ``refresh_token`` keeps the previous one (and its expiry).
        """
        refresh = payload.get("refresh_token")
        refresh_exp_in = payload.get("refresh_token_expires_in")
        if refresh:
            refresh_token: SecretStr | None = SecretStr(str(refresh))
            refresh_exp = now + float(refresh_exp_in) if refresh_exp_in is not None else None
        else:
            refresh_token = previous.refresh_token if previous else None
            refresh_exp = previous.refresh_token_expires_at if previous else None
        if payload.get("expires_at") is not None and payload.get("expires_in") is None:
            expires_at: float | None = float(payload["expires_at"])
        elif payload.get("expires_in") is not None:
            expires_at = now + float(payload["expires_in"])
        else:
            expires_at = None
        scope = payload.get("scope")
        if isinstance(scope, list | tuple):
            scope = " ".join(str(s) for s in scope)
        access = payload.get("access_token")
        return cls(
            access_token=SecretStr(str(access)) if access else None,
            expires_at=expires_at,
            refresh_token=refresh_token,
            refresh_token_expires_at=refresh_exp,
            scope=str(scope) if scope is not None else None,
        )

    def is_live(self, now: float, margin: float = 0.0) -> bool:
        """Whether the access token exists and outlives ``now + margin`` (unknown = live)."""
        if self.access_token is None:
            return False
        return self.expires_at is None or self.expires_at - now > margin

    def to_dict(self) -> dict[str, Any]:
        """The JSON form a store persists (contains the secrets in clear: handle with care)."""
        return {
            "access_token": _reveal(self.access_token),
            "expires_at": self.expires_at,
            "refresh_token": _reveal(self.refresh_token),
            "refresh_token_expires_at": self.refresh_token_expires_at,
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Token:
        """Inverse of :meth:`to_dict`."""

        def secret(key: str) -> SecretStr | None:
            value = data.get(key)
            return SecretStr(str(value)) if value else None

        def number(key: str) -> float | None:
            value = data.get(key)
            return float(value) if value is not None else None

        return cls(
            access_token=secret("access_token"),
            expires_at=number("expires_at"),
            refresh_token=secret("refresh_token"),
            refresh_token_expires_at=number("refresh_token_expires_at"),
            scope=data.get("scope"),
        )


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


@runtime_checkable
class TokenStore(Protocol):
    """Where a :class:`~linkedin_capi.Connection` keeps its tokens between calls.

    Implement ``load`` and ``save`` to use a keyring, a vault or a database.
    """

    def load(self) -> Token | None:
        """The stored token, or ``None`` when nothing has been stored yet."""
        ...

    def save(self, token: Token) -> None:
        """Persist ``token``, replacing what was stored."""
        ...


class MemoryTokenStore:
    """Keeps the token in this process only (the default).

    Examples
    --------
    >>> store = MemoryTokenStore()
    >>> store.load() is None
    True
    >>> store.save(Token(expires_at=1.0)); store.load().expires_at
    1.0
    """

    def __init__(self, token: Token | None = None) -> None:
        self._token = token

    def load(self) -> Token | None:
        """Return the token saved last, if any."""
        return self._token

    def save(self, token: Token) -> None:
        """Keep ``token`` in memory."""
        self._token = token

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None})"


#: Name pattern of the temporary files :meth:`FileTokenStore.save` writes.
TEMP_PREFIX, TEMP_SUFFIX = ".token-", ".tmp"


class FileTokenStore:
    """Keeps the token in a JSON file readable only by its owner (mode 0600).

    Writes go to a temporary file in the same directory which then replaces the target
    (``os.replace`` is atomic on one filesystem), so a crash never leaves half a file.
    A directory that does not exist yet is created with mode 0700. The temporary file is
    removed on every failure path; one left by a process killed mid-write (``SIGKILL``,
    power loss) is removed by the next save into the same directory, which holds a lock
    on the directory (``fcntl.flock`` where available) while it writes, so it never
    removes the temporary file of a save that is still running.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file; its directory is created when missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tokens" / "token.json"
    >>> store = FileTokenStore(path)
    >>> store.save(Token(access_token=SecretStr("AQX"), expires_at=99.0))
    >>> oct(path.stat().st_mode & 0o777), oct(path.parent.stat().st_mode & 0o777)
    ('0o600', '0o700')
    >>> store.load().expires_at
    99.0
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def load(self) -> Token | None:
        """Read the file; ``None`` when it does not exist."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return Token.from_dict(data)
        except ValueError as exc:
            raise ConfigError(
                f"token file {str(self.path)!r} is not a token JSON object "
                f"({type(exc).__name__}); delete it and authorize again"
            ) from None

    def save(self, token: Token) -> None:
        """Write ``token`` atomically with mode 0600, in a directory made 0700 if new."""
        directory = self.path.parent
        _make_private_dirs(directory)
        with _locked(directory):
            _remove_stale_temp_files(directory)
            text = json.dumps(token.to_dict())
            tmp: str | None = None
            try:
                # mkstemp creates the file with mode 0600 already; chmod for odd FSs.
                fd, tmp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
                try:
                    fh = os.fdopen(fd, "w", encoding="utf-8")
                except BaseException:
                    os.close(fd)
                    raise
                with fh:
                    os.chmod(tmp, 0o600)
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
                tmp = None
            finally:
                del text
                if tmp is not None:
                    Path(tmp).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


def _make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and missing parents with mode 0700 (existing ones untouched)."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on ``directory``'s token saves (released when the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no cross-process lock
        yield
        return
    fd = os.open(directory, os.O_RDONLY)  # the directory itself: no lock file to leave
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_stale_temp_files(directory: Path) -> None:
    """Remove ``.token-*.tmp`` files of saves that were killed before they finished."""
    for stale in directory.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


#: The environment variable that points every command at another token file.
TOKEN_FILE_VAR = "LINKEDIN_CAPI_TOKEN_FILE"


def default_token_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``linkedin-capi auth login`` stores tokens and every later command looks.

    ``LINKEDIN_CAPI_TOKEN_FILE`` when set, else ``token.json`` in the user config
    directory: ``~/.config/linkedin-capi/`` on Linux (``$XDG_CONFIG_HOME`` respected),
    ``~/Library/Application Support/linkedin-capi/`` on macOS,
    ``%LOCALAPPDATA%\\linkedin-capi\\`` on Windows.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read ``LINKEDIN_CAPI_TOKEN_FILE`` from (default ``os.environ``).

    Returns
    -------
    Path
        The token file (it may not exist yet).

    Examples
    --------
    >>> default_token_file({"LINKEDIN_CAPI_TOKEN_FILE": "/tmp/t.json"})
    PosixPath('/tmp/t.json')
    >>> default_token_file({}).name
    'token.json'
    """
    env = os.environ if environ is None else environ
    override = env.get(TOKEN_FILE_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("linkedin-capi", appauthor=False)) / "token.json"
