"""``ExportPanel``: validate a frame, look at the report, send, watch progress, see the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import polars as pl
import traitlets

from linkedin_capi._constants import MAX_BATCH_SIZE
from linkedin_capi.display.html import COLORS
from linkedin_capi.display.views import error_html, message_html, report_html, result_html
from linkedin_capi.widgets._common import STYLE, shows_errors
from linkedin_capi.widgets._rules import RulePicker

__all__ = ["ExportPanel"]


class ExportPanel(w.VBox):  # type: ignore[misc]
    """Validate → report → Send → progress → result, for one frame.

    Parameters
    ----------
    df
        The events (a Polars DataFrame or LazyFrame).
    conn
        A :class:`~linkedin_capi.Connection`.
    conversion
        The rule for rows without their own ``conversion``. When omitted (and the
        connection has no default rule) the panel includes a :class:`RulePicker`.
    batch_size, now, mapping, timezone, date_format, decimal_comma
        Passed to :func:`linkedin_capi.delivery.export.export` (all but ``batch_size`` also
        to ``validate``, so the report shown is the split that is sent).

    Attributes
    ----------
    report : ValidationReport or None
        The latest validation (``None`` when validation raised; the error is shown).
    result : ExportResult or None
        The outcome of the last send.
    picker : RulePicker or None
        The rule picker, when the panel shows one.
    validate_button, send_button, skip_invalid, dry_run, progress, report_view, result_view
        The widgets.

    Examples
    --------
    >>> panel = ExportPanel(df, conn, conversion=rule)   # doctest: +SKIP
    >>> panel.send_button.click()                         # doctest: +SKIP
    >>> panel.result.sent                                 # doctest: +SKIP
    """

    result = traitlets.Any(None, allow_none=True)

    def __init__(
        self,
        df: pl.DataFrame | pl.LazyFrame,
        conn: Any,
        conversion: Any = None,
        *,
        batch_size: int = MAX_BATCH_SIZE,
        now: dt.datetime | None = None,
        mapping: Mapping[str, str] | None = None,
        timezone: str | None = None,
        date_format: str | None = None,
        decimal_comma: bool | None = None,
    ) -> None:
        self._df = df
        self._reading: dict[str, Any] = {
            "timezone": timezone,
            "date_format": date_format,
            "decimal_comma": decimal_comma,
        }
        self._conn = conn
        self._conversion = conversion
        self._batch_size = batch_size
        self._now = now
        self._mapping = mapping
        self.report: Any = None
        self.picker: RulePicker | None = None
        if conversion is None and getattr(conn, "conversion", None) is None:
            self.picker = RulePicker(conn)
            self.picker.on_rule(lambda _rule: self.validate())
        self.validate_button = w.Button(description="Validate", icon="check")
        self.skip_invalid = w.Checkbox(value=True, description="Skip invalid rows", style=STYLE)
        self.dry_run = w.Checkbox(value=False, description="Dry run (send nothing)", style=STYLE)
        self.send_button = w.Button(description="Send", button_style="primary", icon="upload")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Sent", style=STYLE)
        self.report_view = w.HTML()
        self.result_view = w.HTML()
        self.validate_button.on_click(lambda _: self.validate())
        self.send_button.on_click(self._on_send)
        children: list[Any] = [self.picker] if self.picker is not None else []
        children += [
            self.validate_button,
            self.report_view,
            w.HBox([self.skip_invalid, self.dry_run]),
            w.HBox([self.send_button, self.progress]),
            self.result_view,
        ]
        super().__init__(children)
        self.validate()

    def conversion(self) -> Any:
        """The rule events without their own ``conversion`` go to (or ``None``)."""
        if self._conversion is not None:
            return self._conversion
        if self.picker is not None and self.picker.rule is not None:
            return self.picker.rule
        return getattr(self._conn, "conversion", None)

    def validate(self) -> None:
        """Validate the frame again (after a rule was picked, say) and show the report."""
        self.report = None
        self._validate()
        self._update_send()

    @shows_errors("report_view")
    def _validate(self) -> None:
        from linkedin_capi.engine.validate import validate

        self.report = validate(
            self._df, self.conversion(), now=self._now, mapping=self._mapping, **self._reading
        )
        self.report_view.value = report_html(self.report)

    def _update_send(self) -> None:
        valid = self.report.counts["valid"] if self.report is not None else 0
        self.send_button.disabled = valid == 0
        self.send_button.description = f"Send {valid} events" if valid else "Nothing to send"
        self.progress.max = max(valid, 1)
        self.progress.value = 0

    def _on_send(self, _button: Any = None) -> None:
        self.send_button.disabled = True
        self.validate_button.disabled = True
        self.progress.value = 0
        self.progress.bar_style = ""
        self.result_view.value = message_html("Sending…")
        try:
            self._send()
        finally:
            self.validate_button.disabled = False
            self._enable_send()

    def _enable_send(self) -> None:
        valid = self.report.counts["valid"] if self.report is not None else 0
        self.send_button.disabled = valid == 0

    def _advance(self, n: int) -> None:
        self.progress.value = min(self.progress.max, self.progress.value + n)

    @shows_errors("result_view")
    def _send(self) -> None:
        from linkedin_capi.delivery.export import export

        # The report the user looked at decides the split: same ``now``, same rows.
        now = self.report.now if self.report is not None else self._now
        try:
            result = export(
                self._df,
                self._conn,
                self.conversion(),
                skip_invalid_records=bool(self.skip_invalid.value),
                dry_run=bool(self.dry_run.value),
                batch_size=self._batch_size,
                now=now,
                progress=self._advance,
                mapping=self._mapping,
                **self._reading,
                max_in_flight=1,  # the bar advances batch by batch, in order
            )
        except Exception as exc:
            partial = getattr(exc, "result", None)
            self.progress.bar_style = "danger"
            self.result_view.value = error_html(exc) + (
                result_html(partial) if partial is not None else ""
            )
            if partial is not None:
                self.result = partial
            return
        self.progress.bar_style = "success" if result.ok else "warning"
        if result.counts.get("dry_run"):
            self.progress.value = 0
        self.result_view.value = result_html(result)
        self.result = result
        if not result.ok:
            self.result_view.value += message_html(
                "Some rows were not sent: result.failures lists them.", color=COLORS["invalid"]
            )
