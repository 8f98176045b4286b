"""E-mail normalization and SHA-256 hashing as Polars expressions.

LinkedIn matches ``SHA256_EMAIL`` on the lowercase hex SHA-256 digest of the trimmed,
lower-cased address. Values that already are a 64-character hex digest pass through
(lower-cased), so a column may mix plain and pre-hashed addresses. Empty strings become
null before hashing: the empty string has a perfectly valid digest that matches nobody.

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"e": [" User@Example.com ", "", None]})
>>> df.select(sha256_email(pl.col("e")).str.slice(0, 12)).to_series().to_list()
['b4c9a289323b', None, None]
"""

from __future__ import annotations

import polars as pl
import polars_hash  # noqa: F401  (registers the ``chash`` expression namespace)

__all__ = [
    "EMAIL_MAX_LEN",
    "EMAIL_PATTERN",
    "SHA256_HEX_PATTERN",
    "hash_normalized_email",
    "normalize_email",
    "sha256_email",
]

#: A lowercase 64-character hex digest (after normalization).
SHA256_HEX_PATTERN = r"^[0-9a-f]{64}$"
#: Deliberately loose: one ``@``, a dot in the domain, no whitespace. LinkedIn never says
#: why an address failed to match, so this only catches values that cannot be addresses.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
#: RFC 5321's limit on an address (a path is 256 octets with the angle brackets).
EMAIL_MAX_LEN = 254
_INVISIBLE = r"[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}\x{00AD}]+"


def normalize_email(expr: pl.Expr) -> pl.Expr:
    """Remove whitespace and invisible characters, NFKC, unwrap, lower-case; "" → null.

    ``Name <addr>`` gives ``addr``; quotes or angle brackets around the address and a
    ``mailto:`` prefix are removed.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(normalize_email(pl.lit(" Jo Doe@X.com\\t"))).item()
    'jodoe@x.com'
    """
    # Trimming first makes the regex pass cheap: most values have no inner whitespace.
    # Invisible characters (zero-width space and joiners, BOM, soft hyphen) go with it.
    t = expr.str.strip_chars().str.replace_all(_INVISIBLE, "")
    # Full-width letters and other compatibility forms: NFKC, only where not ASCII.
    t = pl.when(t.str.len_bytes() != t.str.len_chars()).then(t.str.normalize("NFKC")).otherwise(t)
    t = t.str.to_lowercase()
    # "Jane Doe <jane@acme.com>" → the address between the angle brackets.
    t = (
        pl.when(t.str.contains("<", literal=True))
        .then(t.str.extract(r"<([^<>]*)>").fill_null(t))
        .otherwise(t)
    )
    # A pair of quotes around the address (a quote alone may be part of it), then mailto:.
    quoted = (t.str.starts_with('"') & t.str.ends_with('"')) | (
        t.str.starts_with("'") & t.str.ends_with("'")
    )
    unquoted = t.str.slice(1, t.str.len_chars() - 2)
    t = pl.when(quoted & (t.str.len_bytes() > 1)).then(unquoted).otherwise(t)
    t = t.str.strip_prefix("mailto:")
    return t.replace("", None)


def sha256_email(expr: pl.Expr) -> pl.Expr:
    """Normalize and hash e-mail addresses; pass 64-hex digests through; others → null.

    The result is null for null, empty and malformed input; checks report the malformed
    ones (see :mod:`linkedin_capi.engine.checks`).

    Examples
    --------
    >>> import polars as pl
    >>> digest = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"
    >>> df = pl.DataFrame({"e": ["user@example.com", digest.upper(), "nope"]})
    >>> df.select(sha256_email(pl.col("e")) == digest).to_series().to_list()
    [True, True, None]
    """
    return hash_normalized_email(normalize_email(expr))


def hash_normalized_email(email: pl.Expr) -> pl.Expr:
    """Second stage of :func:`sha256_email`, for values already through
    :func:`normalize_email` (validation stores that stage as a column)."""
    return (
        pl.when(email.str.contains(SHA256_HEX_PATTERN))
        .then(email)
        .when(email.str.contains(EMAIL_PATTERN) & (email.str.len_bytes() <= EMAIL_MAX_LEN))
        .then(_sha256(email))
    )


def _sha256(expr: pl.Expr) -> pl.Expr:
    # polars-hash registers the ``chash`` namespace on every pl.Expr when imported.
    return expr.chash.sha2_256()  # type: ignore[attr-defined,no-any-return]
