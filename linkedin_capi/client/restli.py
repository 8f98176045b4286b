"""Rest.li plumbing shared by the rule and account managers: query strings, paging, JSON.

Private. Everything here talks to LinkedIn only through the connection's ``request`` method
(which adds auth, version and protocol headers, retries, and maps HTTP failures to
:mod:`linkedin_capi.errors`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import quote

import requests

from linkedin_capi._constants import MAX_PAGES
from linkedin_capi.errors import APIError

__all__ = ["Requester", "encode", "iter_elements", "json_body", "query"]

log = logging.getLogger("linkedin_capi.restli")


class Requester(Protocol):
    """What the managers need from a connection: one authenticated request method."""

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | str | None = None,
        json: Any = None,
        body: bytes | None = None,
        restli_method: str | None = None,
    ) -> requests.Response:
        """Send one request to ``base_url + path`` and return the (successful) response."""
        ...


def encode(value: object) -> str:
    """Percent-encode one query value completely (URN colons included).

    Examples
    --------
    >>> encode("urn:li:sponsoredAccount:123")
    'urn%3Ali%3AsponsoredAccount%3A123'
    """
    return quote(str(value), safe="")


def query(**pairs: object) -> str:
    """Build a pre-encoded query string (values encoded, order kept).

    Rest.li needs URN values percent-encoded; ``requests`` would leave the colons alone,
    so the managers hand the connection a finished string instead of a dict.

    Examples
    --------
    >>> query(q="account", account="urn:li:sponsoredAccount:1")
    'q=account&account=urn%3Ali%3AsponsoredAccount%3A1'
    """
    return "&".join(f"{key}={encode(value)}" for key, value in pairs.items())


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object of a response, or ``{}`` for an empty body.

    Raises
    ------
    APIError
        The body is not a JSON object (a proxy page, a truncated answer, ...).
    """
    if not response.content:
        return {}
    try:
        data = response.json()
    except ValueError:
        raise APIError(
            f"expected a JSON object from {response.request.method} "
            f"{response.request.path_url.split('?')[0]}, got {response.content[:80]!r}",
            status=response.status_code,
        ) from None
    if not isinstance(data, dict):
        raise APIError(
            f"expected a JSON object, got {type(data).__name__}", status=response.status_code
        )
    return data


def iter_elements(
    conn: Requester, path: str, finder: str, *, page_size: int
) -> Iterator[dict[str, Any]]:
    """Yield every element of a ``start``/``count`` paged Rest.li finder.

    LinkedIn may return fewer rows than asked for and reports ``total = -1`` when it does not
    know the size, so the next ``start`` is advanced by what actually came back and paging
    stops on the first empty page (or once a known ``total`` is reached).

    Parameters
    ----------
    conn
        The connection.
    path
        Resource path relative to the base URL, e.g. ``"/conversions"``.
    finder
        The pre-encoded finder query, e.g. ``"q=account&account=urn%3Ali%3A..."``.
    page_size
        ``count`` asked for on each page.
    """
    start = 0
    previous: list[Any] | None = None
    for _ in range(MAX_PAGES):
        page = json_body(
            conn.request("GET", path, params=f"{finder}&start={start}&count={page_size}")
        )
        elements = page.get("elements") or []
        if not isinstance(elements, list):
            raise APIError(
                f"expected 'elements' to be a list in {path}, got {type(elements).__name__}"
            )
        if not elements:
            return
        if elements == previous:
            # A server that ignores ``start`` would otherwise be paged forever.
            raise APIError(
                f"{path} returned the same page twice (start={start}); paging is not honoured"
            )
        previous = elements
        yield from elements
        start += len(elements)
        total = (page.get("paging") or {}).get("total")
        if isinstance(total, int) and total >= 0 and start >= total:
            return
    raise APIError(f"{path}: gave up after {MAX_PAGES} pages")
