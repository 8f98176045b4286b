"""Display: HTML and text views of the domain objects, and their charts.

Importing this room registers its renderers into :mod:`linkedin_capi._render`, the seam the
domain objects call from ``_repr_html_``/``__str__``; ``linkedin_capi/__init__.py`` imports
it, so the renderers are in place whenever the package is.
"""

from __future__ import annotations

from linkedin_capi.display import _registry  # noqa: F401  (registers the renderers)
