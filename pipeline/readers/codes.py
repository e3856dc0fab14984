"""Code hierarchies: how the codes of a qualitative-analysis tool become themes and factors.

Every segment reader (canonical table, Taguette, REFI-QDA) hands its codings to
`classify`, so one set of rules (`CodeScheme`, set under `inputs.segments.codes` and
`inputs.segments.values` in params) holds for all of them. A code is a path of parts:
Taguette writes ``bidrag_brukare/isolering``; a REFI-QDA code nested as
``Teman > Bidrag > Isolering`` is the path ("Teman", "Bidrag", "Isolering").

A code is, in this order:

1. what the explicit table (`values.theme`) maps its whole path (or else its last
   part) to: a theme id or label, or "" (excluded by the rule ``values.theme``);
2. excluded, when it lies in a subtree listed under `codes.exclude`;
3. a factor, when it lies in the factor subtree (`codes.factors`, e.g. ``faktor``):
   its last part is a factor code or label, or a text mapped under `values.factor`;
4. outside the theme subtree (`codes.themes`, e.g. ``Teman``, when set): nothing, an
   error unless the code is a factor by rule 5;
5. otherwise its parts that are factor codes or labels (``Handledning/Hindrande``,
   ``Främjande > Förståelse``) give the factor, and the remaining parts name the
   theme: by path (`codes.match: path`, the default: labels level by level, or the
   parts' slugs joined by "." as the theme id, or a one-part path as an id or label)
   or by leaf (`codes.match: leaf`: the last part as an id or label). A code whose
   remaining parts name no theme but that ends in a factor part (``faktor/framjande``)
   is a factor under a grouping code.

Anything else is an unknown code: an error naming the mapping to add.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from pipeline.readers.codebook import Codebook, match_key
from pipeline.readers.values import code_lookup
from pipeline.schema import CATEGORIES, LANGUAGES

_FACTORS = code_lookup("factor")
FACTOR_ONLY_EXCLUDE = "exclude"


def theme_id_part(name: str) -> str:
    """Return the theme-id form of one code name: "Bidrag till brukare" -> "bidrag_till_brukare"."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")
    if slug or not name.strip():
        return slug
    # A name in another script ("中文主题", "😀") keeps a usable id: its code points.
    return "_".join(f"u{ord(c):04x}" for c in name.strip() if not c.isspace())


@dataclass(frozen=True)
class CodeScheme:
    """How code paths map onto codebook themes and factors (see the module docstring).

    Attributes:
        separator: Separates the parts of a code written as one text (Taguette: "/").
        themes: Path of the subtree holding the themes (stripped before matching);
            empty means every code outside the factor subtree may be a theme.
        factors: Path of the subtree holding the factor codes; None means factors are
            recognised by name anywhere in a path.
        match: "path" (the whole path names the theme) or "leaf" (its last part).
        exclude: Paths of subtrees whose codings are neither themes nor factors.
        factor_only: What a highlight or selection coded only with a factor becomes:
            None (an error), "exclude", or a theme id it is counted under.
        theme_map: The explicit table: code as written -> theme id or label ("" excludes).
        factor_map: Factor text as written -> factor code.
    """

    separator: str = "/"
    themes: tuple[str, ...] = ()
    factors: tuple[str, ...] | None = None
    match: Literal["path", "leaf"] = "path"
    exclude: tuple[tuple[str, ...], ...] = ()
    factor_only: str | None = None
    theme_map: Mapping[str, str] = field(default_factory=dict)
    factor_map: Mapping[str, str] = field(default_factory=dict)

    def parts(self, code: str) -> tuple[str, ...]:
        """Split a code written as one text into its path parts (empty parts dropped)."""
        pieces = code.split(self.separator) if self.separator else [code]
        return tuple(p.strip() for p in pieces if p.strip())

    def written(self, parts: Sequence[str]) -> str:
        """The code path as the analyst would write it in params."""
        return self.separator.join(parts)

    @cached_property
    def _themes_table(self) -> dict[str, str]:
        return {match_key(k): v for k, v in self.theme_map.items()}

    @cached_property
    def _factors_table(self) -> dict[str, str]:
        return {match_key(k): v for k, v in self.factor_map.items()}

    def factor(self, text: str | None) -> str | None:
        """The factor code `text` denotes (None: none); an absent text (None) is neutral."""
        if text is None:
            return "neutral"
        key = match_key(text)
        return _FACTORS.get(match_key(self._factors_table.get(key, text)))


@dataclass(frozen=True)
class Meaning:
    """What one code is.

    Attributes:
        kind: "theme", "factor", "excluded" or "unknown".
        theme: The theme id (kind "theme").
        factor: The factor code the code itself carries (a factor, or a theme code
            with a factor part), else None.
        rule: For "excluded": the params rule that excludes it.
        hint: For "unknown": what is wrong and the mapping to add.
    """

    kind: Literal["theme", "factor", "excluded", "unknown"]
    theme: str | None = None
    factor: str | None = None
    rule: str | None = None
    hint: str | None = None


def _under(parts: Sequence[str], root: Sequence[str]) -> bool:
    return len(parts) >= len(root) and all(
        match_key(a) == match_key(b) for a, b in zip(parts, root, strict=False)
    )


class ThemeIndex:
    """Finds the theme that a code path names, by labels level by level or by ids."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        rows = {row["id"]: row for row in codebook.themes.to_dict("records")}
        self._paths: dict[str, str | None] = {}
        for theme, row in rows.items():
            chain = [row]
            while chain[-1]["parent"] is not None:
                chain.append(rows[str(chain[-1]["parent"])])
            chain.reverse()
            for lang in LANGUAGES:
                key = "\x1f".join(match_key(str(r[f"label_{lang}"])) for r in chain)
                # A label path shared by two themes names neither.
                self._paths[key] = None if self._paths.get(key, theme) != theme else theme

    def resolve(self, parts: Sequence[str], match: str = "path") -> str | None:
        """Return the theme id a path names, or None."""
        if not parts:
            return None
        if match == "leaf":
            return self.codebook.resolve(parts[-1])
        by_label = self._paths.get("\x1f".join(match_key(p) for p in parts))
        if by_label:
            return by_label
        by_id = ".".join(theme_id_part(p) for p in parts)
        if by_id in self.codebook.ids:
            return by_id
        if len(parts) == 1:
            return self.codebook.resolve(parts[0])
        return None

    def closest(self, parts: Sequence[str]) -> str | None:
        """The theme id most like the path, for a "did you mean" hint."""
        if not parts:
            return None
        wanted = ".".join(theme_id_part(p) for p in parts)
        found = difflib.get_close_matches(wanted, self.codebook.ids, n=1, cutoff=0.6)
        if found:
            return found[0]
        leaf = theme_id_part(parts[-1])
        found = difflib.get_close_matches(
            leaf, [i.rpartition(".")[2] for i in self.codebook.ids], n=1, cutoff=0.6
        )
        if found:
            return next(i for i in self.codebook.ids if i.rpartition(".")[2] == found[0])
        return None


def classify(parts: Sequence[str], scheme: CodeScheme, index: ThemeIndex) -> Meaning:
    """Return what a code path is under `scheme` (see the module docstring).

    Args:
        parts: The code's path, outermost first.
        scheme: The params' rules.
        index: The codebook's themes.

    Returns:
        Its meaning; "unknown" carries the hint for the error message.
    """
    written = scheme.written(parts)
    table = scheme._themes_table
    entry = next((k for k in (written, parts[-1]) if match_key(k) in table), None)
    if entry is not None:
        target = table[match_key(entry)]
        if not target.strip():
            return Meaning("excluded", rule="values.theme")
        theme = index.codebook.resolve(target) or index.resolve(scheme.parts(target))
        if theme is None:
            return Meaning(
                "unknown",
                hint=f"values.theme maps it to {target!r}, which is not a theme id or label "
                "of the codebook",
            )
        return Meaning("theme", theme=theme)
    if any(_under(parts, ex) for ex in scheme.exclude):
        return Meaning("excluded", rule="codes.exclude")
    if len(parts) == 1 and index.codebook.resolve(parts[0]):
        # A theme id or label as such (a canonical table's cell) needs no subtree.
        return Meaning("theme", theme=index.codebook.resolve(parts[0]))
    if scheme.factors is not None and _under(parts, scheme.factors):
        rest = parts[len(scheme.factors) :]
        if not rest:
            return Meaning(
                "unknown",
                hint="it is the factor group code itself; code one of its children, or "
                f"exclude it: inputs.segments.codes: {{exclude: [{written!r}]}}",
            )
        factor = scheme.factor(rest[-1])
        if factor is None:
            return Meaning(
                "unknown",
                hint=f"{rest[-1]!r} in the factor subtree is not a factor; map it: "
                f"inputs.segments.values: {{factor: {{{rest[-1]!r}: framjande}}}} (or hindrande, "
                "neutral)",
            )
        return Meaning("factor", factor=factor)
    factors = [(i, scheme.factor(p)) for i, p in enumerate(parts)]
    factors = [(i, f) for i, f in factors if f is not None]
    if len({f for _, f in factors}) > 1:
        return Meaning("unknown", hint="its path names two different factors; expected at most one")
    factor = factors[0][1] if factors else None
    rest = [p for i, p in enumerate(parts) if i not in {j for j, _ in factors}]
    if not rest:
        return Meaning("factor", factor=factor)
    theme_parts = rest
    if scheme.themes:
        if not _under(rest, scheme.themes):
            if factors and factors[-1][0] == len(parts) - 1:
                return Meaning("factor", factor=factor)
            return Meaning(
                "unknown",
                hint=f"it is outside the theme subtree {scheme.written(scheme.themes)!r}"
                f"{_factor_subtree(scheme)}; exclude it: inputs.segments.codes: "
                f"{{exclude: [{written!r}]}}",
            )
        theme_parts = rest[len(scheme.themes) :]
    theme = index.resolve(theme_parts, scheme.match)
    if theme is not None:
        return Meaning("theme", theme=theme, factor=factor)
    if factors and factors[-1][0] == len(parts) - 1:
        return Meaning("factor", factor=factor)  # a factor under a grouping code
    closest = index.closest(theme_parts)
    maybe = f" (closest theme: {closest!r})" if closest else ""
    return Meaning(
        "unknown",
        hint="it names no theme of the codebook; add it to the codebook, or map it: "
        f"inputs.segments.values: {{theme: {{{written!r}: <theme id>}}}}{maybe} ('' "
        f"excludes it){_other_separator(written, scheme)}",
    )


_SEPARATORS = ("\\", " > ", "::")
"""How other tools write a code path in one text: MAXQDA `Parent\\Child`, NVivo `A > B`."""


def _other_separator(written: str, scheme: CodeScheme) -> str:
    """A hint to set codes.separator when the code holds another tool's path separator."""
    for separator in (s.strip() for s in _SEPARATORS):
        if separator != scheme.separator.strip() and separator in written:
            # JSON's quoting is YAML's double-quoted style: "\\" is one backslash.
            return (
                f"; if {separator!r} separates its levels, set inputs.segments.codes: "
                f"{{separator: {json.dumps(separator)}}}"
            )
    return ""


def _factor_subtree(scheme: CodeScheme) -> str:
    if scheme.factors is None:
        return ""
    return f" and the factor subtree {scheme.written(scheme.factors)!r}"


def factor_choices() -> str:
    """The factor codes, for messages."""
    return ", ".join(CATEGORIES["factor"])
