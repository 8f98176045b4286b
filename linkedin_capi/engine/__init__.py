"""The engine: pure Polars from an input frame to normalized rows and JSON bodies.

Data flows ``columns`` (names, mapping) → ``normalize``/``hashing`` (expressions) →
``checks`` (row rules) → ``validate`` (the plan and the split) → ``report``
(:class:`ValidationReport`) → ``payload`` (event JSON, batches). Nothing here touches the
network, the display room or a Python loop per row; it imports Polars, the standard library
and the package's bottom modules (``errors``, ``_constants``, ``_render``) only.
"""
