"""The bundled sample web: fictional clinic sites, a directory, and local NPI-registry and Overpass APIs.

Used by ``kdir sampleweb``, the demo and the crawler/indexer tests. Start it with :class:`SampleWeb`; compare
results with :func:`get_truth`. Every name, phone number (555-01xx) and NPI here is fictional.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kdir.sampleweb.server import SampleWeb
    from kdir.sampleweb.truth import Truth

__all__ = ["SampleWeb", "Truth", "get_truth"]


def __getattr__(name: str) -> object:
    # Lazy, so importing the package costs nothing until a server or the truth is needed.
    if name == "SampleWeb":
        from kdir.sampleweb.server import SampleWeb

        return SampleWeb
    if name == "get_truth":
        from kdir.sampleweb.ground_truth import get_truth

        return get_truth
    if name == "Truth":
        from kdir.sampleweb.truth import Truth

        return Truth
    raise AttributeError(name)
