"""``df.capi`` / ``lf.capi``: one-line shims over the public functions.

Registered once when :mod:`linkedin_capi` is imported. Type checkers cannot see registered
namespaces, so typed code calls :func:`linkedin_capi.engine.validate` directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.validate import validate

__all__ = ["CapiFrame", "CapiLazyFrame"]


@pl.api.register_dataframe_namespace("capi")
class CapiFrame:
    """LinkedIn Conversions API helpers on a DataFrame (``df.capi``)."""

    def __init__(self, df: pl.DataFrame) -> None:
        self._df = df

    def validate(
        self,
        conversion: Any = None,
        *,
        now: dt.datetime | None = None,
        api_version: str | int | None = None,
        hash_names: bool = False,
        mapping: Mapping[str, str] | None = None,
        timezone: str | None = None,
        date_format: str | None = None,
        decimal_comma: bool | None = None,
    ) -> ValidationReport:
        """See :func:`linkedin_capi.engine.validate.validate`."""
        return validate(
            self._df,
            conversion,
            now=now,
            api_version=api_version,
            hash_names=hash_names,
            mapping=mapping,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
        )

    def export(self, conn: Any, conversion: Any = None, **kwargs: Any) -> ExportResult:
        """See :func:`linkedin_capi.delivery.export.export`."""
        return export(self._df, conn, conversion, **kwargs)


@pl.api.register_lazyframe_namespace("capi")
class CapiLazyFrame:
    """LinkedIn Conversions API helpers on a LazyFrame (``lf.capi``)."""

    def __init__(self, lf: pl.LazyFrame) -> None:
        self._lf = lf

    def validate(
        self,
        conversion: Any = None,
        *,
        now: dt.datetime | None = None,
        api_version: str | int | None = None,
        hash_names: bool = False,
        mapping: Mapping[str, str] | None = None,
        timezone: str | None = None,
        date_format: str | None = None,
        decimal_comma: bool | None = None,
    ) -> ValidationReport:
        """See :func:`linkedin_capi.engine.validate.validate`."""
        return validate(
            self._lf,
            conversion,
            now=now,
            api_version=api_version,
            hash_names=hash_names,
            mapping=mapping,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
        )

    def export(self, conn: Any, conversion: Any = None, **kwargs: Any) -> ExportResult:
        """See :func:`linkedin_capi.delivery.export.export`."""
        return export(self._lf, conn, conversion, **kwargs)
