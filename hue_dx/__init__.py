"""hue-dx: the digital-transformation assessment of plan 222/KH-UBND (Thừa Thiên Huế), run through Excel.

The domain core (``catalog``, ``rules``, ``scoring``, ``audit``) is pure Python with no Excel,
template or add-in library, so it imports fast and also runs in xlwings Lite (Pyodide).

    >>> import hue_dx
    >>> cat = hue_dx.load_catalog()
    >>> result = hue_dx.score_unit(cat, {"5.2.1": {"a": 100, "b": 20, "c": 70}}, level="so")
    >>> round(result.criterion("5.2.1").points, 2)
    1.6
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog import Catalog, CatalogError, Criterion
    from .catalog import load as load_catalog
    from .scoring import CriterionResult, NodeResult, UnitResult, score_criterion, score_unit

__version__ = "0.1.0"

# The public names are imported on first use, so that `hue-dx --help` (which imports this
# package for __version__) does not pay for the catalog and the engine.
_LAZY = {"Catalog": "catalog", "CatalogError": "catalog", "Criterion": "catalog", "load_catalog": "catalog",
         "CriterionResult": "scoring", "NodeResult": "scoring", "UnitResult": "scoring", "score_criterion": "scoring", "score_unit": "scoring"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'hue_dx' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f".{_LAZY[name]}", __name__)
    value = getattr(module, "load" if name == "load_catalog" else name)
    globals()[name] = value
    return value

__all__ = [
    "Catalog",
    "CatalogError",
    "Criterion",
    "CriterionResult",
    "NodeResult",
    "UnitResult",
    "load_catalog",
    "score_criterion",
    "score_unit",
    "__version__",
]
