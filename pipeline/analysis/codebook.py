"""The interview codebook: theme labels, codebook order and roll-up to a theme level."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def _parent(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


class Codebook:
    """The codebook's themes table (id, parent, level, label_sv, label_en, order), indexed."""

    def __init__(self, themes: pd.DataFrame):
        self._entries: dict[str, dict[str, object]] = {
            str(row["id"]): {
                "parent": _parent(row["parent"]),
                "level": int(row["level"]),
                "label_sv": row.get("label_sv"),
                "label_en": row.get("label_en"),
                "order": row["order"],
            }
            for row in themes.to_dict("records")
        }

    def label(self, theme_id: str, lang: str) -> str:
        """The theme's label in `lang` (Swedish, then the id, when it has none); unescaped."""
        entry = self._entries.get(theme_id)
        if entry is None:
            return theme_id
        for key in (f"label_{lang}", "label_sv"):
            value = entry.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return theme_id

    def sort_key(self, theme_id: str) -> tuple:
        """Codebook order from the root down, so children follow their parent."""
        path: list[tuple[float, str]] = []
        current: str | None = theme_id
        for _ in range(len(self._entries) + 1):
            if current is None or current not in self._entries:
                break
            order = self._entries[current]["order"]
            path.append((float(order) if not pd.isna(order) else float("inf"), current))
            current = self._entries[current]["parent"]  # type: ignore[assignment]
        return tuple(reversed(path))

    def ancestor(self, theme_id: str, level: int) -> str:
        """The theme's ancestor at `level`; a theme above that level stands for itself."""
        current = theme_id
        for _ in range(len(self._entries) + 1):
            entry = self._entries[current]
            if int(entry["level"]) <= level or entry["parent"] is None:  # type: ignore[arg-type]
                return current
            current = entry["parent"]  # type: ignore[assignment]
        raise ValueError(f"theme {theme_id!r}: the codebook's parent links form a cycle")

    def roll_up(self, theme_ids: Iterable[object], level: int) -> list[str]:
        """Each theme id's ancestor at `level`.

        Raises:
            ValueError: A theme id is not in the codebook.
        """
        ids = [str(t) for t in theme_ids]
        unknown = sorted(set(ids) - set(self._entries))
        if unknown:
            raise ValueError(f"segments use theme ids that are not in the codebook: {unknown}")
        return [self.ancestor(t, level) for t in ids]

    def level_themes(self, level: int, used: Iterable[str], lang: str) -> pd.DataFrame:
        """Every theme at `level`, plus higher themes that segments were coded at.

        Returns:
            Columns theme, label, in codebook order.
        """
        ids = {t for t, e in self._entries.items() if e["level"] == level} | set(used)
        ordered = sorted(ids, key=self.sort_key)
        return pd.DataFrame({"theme": ordered, "label": [self.label(t, lang) for t in ordered]})
