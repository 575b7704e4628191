"""Guards on harvested metadata before it replaces what the hub holds.

- :func:`cut_long_values` bounds every text value of a normalised record (a 40 MB abstract is cut to
  ``HARVEST_MAX_VALUE_CHARS``, so it is never stored whole, indexed whole or sent to every page);
- :func:`is_empty` tells a record that says nothing (no title, people, abstract or subject), which
  must not overwrite a good stored record: sources do send such husks (a broken export, a record
  emptied by a failing crosswalk at the source, a datestamp in 2099).

The raw metadata is left verbatim; only the normalised form is guarded.
"""

from __future__ import annotations

from typing import Any

ELLIPSIS = "…"
DESCRIPTIVE_FIELDS = ("titles", "abstracts", "creators", "contributors", "subjects")


def cut_long_values(meta: dict[str, Any], limit: int) -> list[tuple[str, int]]:
    """Cut, in place, every string of ``meta`` longer than ``limit`` characters.

    Returns ``(path, original length)`` for each value cut, e.g. ``("abstracts[0].value", 41943040)``.
    A cut value ends with an ellipsis so readers see it is incomplete.
    """
    cut: list[tuple[str, int]] = []
    if limit <= 0:
        return cut

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            if len(node) > limit:
                cut.append((path, len(node)))
                return node[: max(limit - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS
            return node
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = walk(value, f"{path}.{key}" if path else str(key))
            return node
        if isinstance(node, list):
            for index, value in enumerate(node):
                node[index] = walk(value, f"{path}[{index}]")
            return node
        return node

    walk(meta, "")
    return cut


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(_has_text(v) for k, v in value.items() if k in ("value", "name", "family", "given"))
    if isinstance(value, list):
        return any(_has_text(v) for v in value)
    return False


def is_empty(meta: dict[str, Any]) -> bool:
    """Whether a normalised record carries no descriptive metadata at all."""
    return not any(_has_text(meta.get(name)) for name in DESCRIPTIVE_FIELDS)
