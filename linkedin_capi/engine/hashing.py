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

__all__ = [
    "EMAIL_MAX_LEN",
    "EMAIL_PATTERN",
    "IPV4_PATTERN",
    "SHA256_HEX_PATTERN",
    "UUID_PATTERN",
    "google_aid",
    "hash_normalized_email",
    "hashed_name",
    "needs_email_hygiene",
    "normalize_email",
    "normalized_email_ok",
    "plaintext_ip",
    "sha256_email",
    "sha256_ip",
]

#: A lowercase 64-character hex digest (after normalization).
SHA256_HEX_PATTERN = r"^[0-9a-f]{64}$"
#: Deliberately loose: one ``@``, a dot in the domain, no whitespace. LinkedIn never says
#: why an address failed to match, so this only catches values that cannot be addresses.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
#: RFC 5321's limit on an address (a path is 256 octets with the angle brackets).
EMAIL_MAX_LEN = 254
_INVISIBLE = r"[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}\x{00AD}]+"
_NEEDS_HYGIENE = r"\S\s+\S|[<>\"']|(?i:mailto:)|[^\x00-\x7F]"


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
#: A dotted IPv4 address ("Currently, only IPv4 addresses are supported", audit E2).
IPV4_PATTERN = rf"^{_OCTET}(?:\.{_OCTET}){{3}}$"
#: A UUID in canonical 8-4-4-4-12 form (after lower-casing); all zeros is no device.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def plaintext_ip(expr: pl.Expr, *, trimmed: bool = False) -> pl.Expr:
    """A trimmed dotted IPv4 address, else null.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(plaintext_ip(pl.Series(["10.0.0.1 ", "256.1.1.1", "::1"]))).to_series().to_list()
    ['10.0.0.1', None, None]
    """
    ip = expr if trimmed else expr.str.strip_chars()
    return pl.when(ip.str.contains(IPV4_PATTERN)).then(ip)


def sha256_ip(expr: pl.Expr, *, trimmed: bool = False) -> pl.Expr:
    """A 64-hex digest passes (lower-cased); a dotted IPv4 address is hashed; else null.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(sha256_ip(pl.lit("127.0.0.1")).str.slice(0, 12)).item()
    '12ca17b49af2'
    """
    value = (expr if trimmed else expr.str.strip_chars()).str.to_lowercase()
    return (
        pl.when(value.str.contains(SHA256_HEX_PATTERN))
        .then(value)
        .when(value.str.contains(IPV4_PATTERN))
        .then(_sha256(value))
    )


def google_aid(expr: pl.Expr, *, trimmed: bool = False) -> pl.Expr:
    """A UUID in lower-case canonical form (not all zeros), else null.

    Braces and a missing hyphenation (32 hex digits) are accepted and normalized.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(["{38400000-8CF0-11BD-B23E-10B96E40000D}", "0" * 32, "x"])
    >>> pl.select(google_aid(s)).to_series().to_list()
    ['38400000-8cf0-11bd-b23e-10b96e40000d', None, None]
    """
    raw = (expr if trimmed else expr.str.strip_chars()).str.strip_chars("{}").str.to_lowercase()
    dashed = (
        pl.when(raw.str.contains(r"^[0-9a-f]{32}$"))
        .then(raw.str.replace(r"^(.{8})(.{4})(.{4})(.{4})(.{12})$", "$1-$2-$3-$4-$5"))
        .otherwise(raw)
    )
    return pl.when(dashed.str.contains(UUID_PATTERN) & (dashed != _ZERO_UUID)).then(dashed)


def hashed_name(expr: pl.Expr, *, trimmed: bool = False) -> pl.Expr:
    """A 64-hex digest passes (lower-cased); other text is normalized as LinkedIn asks
    (lower case, no spaces or punctuation) and hashed; nothing left → null.

    Examples
    --------
    >>> import polars as pl
    >>> import hashlib
    >>> got = pl.select(hashed_name(pl.lit(" Mary-Ann O'Neil "))).item()
    >>> got == hashlib.sha256(b"maryannoneil").hexdigest()
    True
    """
    value = expr if trimmed else expr.str.strip_chars()
    lowered = value.str.to_lowercase()
    cleaned = lowered.str.replace_all(r"[\s\p{P}\p{S}]+", "")
    return (
        pl.when(lowered.str.contains(SHA256_HEX_PATTERN))
        .then(lowered)
        .when(cleaned != "")
        .then(_sha256(cleaned))
    )


def needs_email_hygiene(raw: pl.Expr) -> pl.Expr:
    """True where a raw e-mail needs more than trimming and lower-casing (a chunk pre-test).

    Inner whitespace, angle brackets, quotes, ``mailto:`` or any non-ASCII character
    (invisible characters and full-width letters are non-ASCII).

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series([" a@b.co ", "Jo <a@b.co>", "a\u200b@b.co", "MAILTO:a@b.co"])
    >>> pl.select(needs_email_hygiene(s)).to_series().to_list()
    [False, True, True, True]
    """
    return raw.str.contains(_NEEDS_HYGIENE)


def normalize_email(expr: pl.Expr, *, hygiene: bool = True, trimmed: bool = False) -> pl.Expr:
    """Remove whitespace and invisible characters, NFKC, unwrap, lower-case; "" → null.

    ``Name <addr>`` gives ``addr``; quotes or angle brackets around the address and a
    ``mailto:`` prefix are removed. ``hygiene=False`` skips those steps (validation passes
    it for a chunk in which no value needs them, see :func:`needs_email_hygiene`);
    ``trimmed=True``: ``expr`` is already trimmed.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(normalize_email(pl.lit(" Jo Doe@X.com\\t"))).item()
    'jodoe@x.com'
    """
    # Trimming first makes the regex pass cheap: most values have no inner whitespace.
    # Invisible characters (zero-width space and joiners, BOM, soft hyphen) go with it.
    t = expr if trimmed else expr.str.strip_chars()
    if not hygiene:
        return t.str.to_lowercase().replace("", None)
    t = t.str.replace_all(_INVISIBLE, "")
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


def normalized_email_ok(email: pl.Expr) -> pl.Expr:
    """True where :func:`hash_normalized_email` gives a digest: ``email`` (through
    :func:`normalize_email`) is a 64-hex digest, or an address of at most
    ``EMAIL_MAX_LEN`` bytes; false for null.

    Validation's check reads this instead of the digest, so that counting valid rows
    computes no SHA-256.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(["a@b.co", "a" * 64, "nope", None, "a@" + "b" * 260 + ".co"])
    >>> pl.select(normalized_email_ok(s)).to_series().to_list()
    [True, True, False, False, False]
    """
    address = email.str.contains(EMAIL_PATTERN) & (email.str.len_bytes() <= EMAIL_MAX_LEN)
    return (email.str.contains(SHA256_HEX_PATTERN) | address).fill_null(False)


def hash_normalized_email(email: pl.Expr) -> pl.Expr:
    """Second stage of :func:`sha256_email`, for values already through
    :func:`normalize_email` (validation stores that stage as a column): null exactly
    where :func:`normalized_email_ok` is false."""
    return pl.when(normalized_email_ok(email)).then(
        pl.when(email.str.contains(SHA256_HEX_PATTERN)).then(email).otherwise(_sha256(email))
    )


def _sha256(expr: pl.Expr) -> pl.Expr:
    # polars-hash registers the ``chash`` namespace on every pl.Expr when imported; here,
    # on first use, because its import costs `import linkedin_capi` 10-20 ms.
    import polars_hash  # noqa: F401

    return expr.chash.sha2_256()  # type: ignore[attr-defined,no-any-return]
