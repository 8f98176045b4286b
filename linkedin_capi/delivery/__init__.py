"""Delivery: from a validated frame to acknowledged batches and one outcome per row.

``export`` (a DataFrame) and ``streaming`` (a LazyFrame, chunk by chunk) send batches through
the connection they are handed; ``rejections`` reads LinkedIn's per-element errors,
``ratelimit`` paces requests, ``journal`` records what LinkedIn acknowledged and ``result``
is the :class:`ExportResult`. Delivery uses the engine and the client, never the views.
"""
