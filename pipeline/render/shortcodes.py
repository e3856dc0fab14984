"""Resolve the Quarto shortcodes and cross-references of a report source into pandoc Markdown.

The built-in renderer understands exactly two shortcodes, like Quarto does them:

- `{{< meta key.path >}}` inserts a front-matter value. String values are inserted
  as they are: the pipeline writes the front matter and has already escaped every
  data-derived string with `md_text`, so escaping again would show backslashes.
  Other scalars (numbers, dates, booleans) are escaped here.
- `{{< embed notebooks/x.ipynb#label >}}` (alone on its line) inserts the outputs of
  the executed notebook cell labelled `label`, as a numbered figure (`fig-`) or
  table (`tbl-`) with its `fig-cap` / `tbl-cap` caption.

Any other shortcode stops the render with a `ShortcodeError` naming file and line;
`{{{< x >}}}` is Quarto's escape and renders `{{< x >}}` literally.

Only the template text is scanned for shortcodes: embedded outputs and inserted values
are never rescanned for them. Embedded Markdown outputs are scanned for `@fig-...` /
`@tbl-...` cross-references only, so that a notebook can write a sentence pointing to a
table only when the table has something to show (pipeline.report_text); data text in
those outputs has passed `md_text`, which escapes every `@` and `-`, so it stays inert.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import front_matter
from pipeline.errors import ShortcodeError
from pipeline.formatting import md_text
from pipeline.i18n import Catalog, languages
from pipeline.render.notebook_cells import Cell, Output, read_cells

log = logging.getLogger(__name__)

_renderer_words = Catalog("render")
"""Words the renderer itself puts into a report, by language."""

_SHORTCODE = re.compile(
    r"(?P<escaped>\{\{\{<(?P<literal>.*?)>\}\}\})"
    r"|\{\{<(?P<code>.*?)>\}\}"
    r"|(?P<percent>\{\{%.*?%\}\})"
)
_UNTERMINATED = re.compile(r"\{\{[<%]")
_CROSSREF = re.compile(r"(?<![\w\\@])@(?P<label>(?:fig|tbl)-[\w-]*\w)")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_NUMBERED_KINDS = ("fig", "tbl")

ImageRef = Callable[[str, Output, str], str]
"""Given a unique name (the cell label), an image output and its alt text, return its URL."""


@dataclass(frozen=True)
class Source:
    """A report source split into front matter and body.

    Attributes:
        path: The `.qmd` file.
        front_matter: The parsed YAML front matter (empty if there is none).
        body: The Markdown after the front matter.
        body_line: Line number (1-based) in the file of the body's first line.
    """

    path: Path
    front_matter: dict
    body: str
    body_line: int


@dataclass(frozen=True)
class _Embed:
    label: str
    cell: Cell


def read_source(path: Path) -> Source:
    """Read a `.qmd` file and parse its YAML front matter with `yaml.safe_load`.

    Args:
        path: The report source.

    Returns:
        The split source.

    Raises:
        ShortcodeError: When the front matter is not a YAML mapping.
    """
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    found = front_matter.split(text)
    if found is None:
        return Source(path, {}, text, 1)
    try:
        front = yaml.safe_load(found.yaml) or {}
    except yaml.YAMLError as exc:
        raise ShortcodeError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(front, dict):
        raise ShortcodeError(f"{path}: front matter is not a YAML mapping")
    return Source(path, front, found.body, found.body_line)


def labels(lang: str) -> Mapping[str, str]:
    """The renderer's own words for `lang` (catalog `render`).

    Raises:
        ShortcodeError: For a language without catalogs.
    """
    if lang not in languages():
        raise ShortcodeError(
            f"lang {lang!r} is not supported; expected one of {', '.join(languages())}"
        )
    return _renderer_words.texts(lang)


def resolve_front_matter(source: Source) -> dict:
    """The front matter with `meta` shortcodes resolved in its text fields.

    `params` is left untouched (it holds the values that `meta` looks up).

    Args:
        source: The parsed source.

    Returns:
        A new dict; the source is not modified.

    Raises:
        ShortcodeError: For unknown keys or shortcodes other than `meta`.
    """
    problems: list[str] = []
    where = f"{source.path}: front matter"

    def walk(value: object) -> object:
        if isinstance(value, str):
            return _resolve_inline(value, source.front_matter, where, problems)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    resolved = {k: (v if k == "params" else walk(v)) for k, v in source.front_matter.items()}
    _raise_if(problems)
    return resolved


def expand(source: Source, *, lang: str, image_ref: ImageRef) -> str:
    """Turn the body of a report source into plain pandoc Markdown.

    Figures and tables are numbered in order of first embed; `@fig-x` / `@tbl-x` in
    the template text become links ("Figur 1"), unknown ones the warning text
    "?@fig-x" (as Quarto does), logged as a warning.

    Args:
        source: The parsed source.
        lang: Report language, for "Figur"/"Figure" and "Tabell"/"Table".
        image_ref: Gives the URL of each embedded image (a data URI for HTML, a file
            written next to the Typst source for PDF).

    Returns:
        Markdown without shortcodes, for pandoc.

    Raises:
        ShortcodeError: Listing every unknown shortcode, missing key, notebook, cell
            or output at once.
    """
    words = labels(lang)
    problems: list[str] = []
    lines = source.body.split("\n")
    embeds = _collect_embeds(source, lines, problems)
    numbers = _number(e for e in embeds.values() if e)
    out: list[str] = []
    for offset, line in enumerate(lines):
        lineno = source.body_line + offset
        if lineno in embeds:
            embed = embeds[lineno]  # None: a broken embed, already among the problems
            out.append(_embed_markdown(embed, numbers, words, image_ref) if embed else "")
            continue
        where = f"{source.path}:{lineno}"
        out.append(
            _resolve_inline(line, source.front_matter, where, problems, refs=(numbers, words))
        )
    _raise_if(problems)
    return "\n".join(out)


# --- scanning ---------------------------------------------------------------------------


def _collect_embeds(
    source: Source, lines: list[str], problems: list[str]
) -> dict[int, _Embed | None]:
    """Find every embed line and check its notebook, cell and output.

    Returns:
        By line number: the embed, or None for a line whose embed is broken (the
        reason is added to `problems`).
    """
    # By the path as written: resolving a path walks every folder of it, and a report
    # embeds some thirty cells from two notebooks.
    notebooks: dict[str, tuple[bool, dict[str, Cell] | None]] = {}
    base = source.path.parent.resolve()
    embeds: dict[int, _Embed | None] = {}
    seen: dict[str, int] = {}
    for offset, line in enumerate(lines):
        lineno = source.body_line + offset
        codes = [m for m in _SHORTCODE.finditer(line) if m.group("code") is not None]
        if not any(_words(m.group("code"))[:1] == ["embed"] for m in codes):
            continue
        where = f"{source.path}:{lineno}"
        embeds[lineno] = None
        if len(codes) != 1 or line.strip() != codes[0].group(0):
            problems.append(f"{where}: an embed shortcode must stand alone on its line")
            continue
        embed = _embed(where, base, codes[0].group("code"), notebooks, problems)
        if embed is None:
            continue
        if embed.label in seen:
            problems.append(
                f"{where}: {embed.label!r} is already embedded on line {seen[embed.label]}"
            )
            continue
        seen[embed.label] = lineno
        embeds[lineno] = embed
    return embeds


def _embed(
    where: str,
    base: Path,
    code: str,
    notebooks: dict[str, tuple[bool, dict[str, Cell] | None]],
    problems: list[str],
) -> _Embed | None:
    """Check one embed shortcode; None (and a problem) when it cannot be resolved.

    `base` is the report source's folder, resolved; `notebooks` what `_notebook_cells`
    said of each notebook so far, by its path as written.
    """
    args = _words(code)[1:]
    shown = f"{{{{< {code.strip()} >}}}}"
    if len(args) != 1 or "#" not in args[0]:
        problems.append(f"{where}: {shown}: expected {{{{< embed notebook.ipynb#label >}}}}")
        return None
    relative, label = args[0].rsplit("#", 1)
    if not _LABEL.fullmatch(label):
        problems.append(f"{where}: {shown}: label {label!r} is not letters, digits, - and _")
        return None
    if relative not in notebooks:
        notebooks[relative] = _notebook_cells(base, relative)
    inside, cells = notebooks[relative]
    if not inside:
        problems.append(f"{where}: {shown}: only .ipynb notebooks inside {base} can be embedded")
        return None
    if cells is None:
        problems.append(f"{where}: {shown}: notebook {relative} not found")
        return None
    if label not in cells:
        problems.append(f"{where}: {shown}: notebook {relative} has no cell labelled {label!r}")
        return None
    cell = cells[label]
    if not cell.outputs:
        problems.append(f"{where}: {shown}: cell {label!r} doesn't contain output to embed")
        return None
    images = [o for o in cell.outputs if o.is_image]
    if len(images) > 1:
        problems.append(f"{where}: {shown}: cell {label!r} shows {len(images)} images; expected 1")
        return None
    return _Embed(label, cell)


def _notebook_cells(base: Path, relative: str) -> tuple[bool, dict[str, Cell] | None]:
    """Whether `relative` is an .ipynb inside `base`, and its labelled cells (None: no file)."""
    notebook = (base / relative).resolve()
    if not notebook.is_relative_to(base) or notebook.suffix != ".ipynb":
        return False, None
    return True, read_cells(notebook) if notebook.is_file() else None


def _words(code: str) -> list[str]:
    try:
        return shlex.split(code)
    except ValueError:
        return code.split()


def _number(embeds: Iterable[_Embed]) -> dict[str, int]:
    """Number figures and tables separately, in order of first embed."""
    counters = dict.fromkeys(_NUMBERED_KINDS, 0)
    numbers: dict[str, int] = {}
    for embed in embeds:
        kind = _kind(embed.label)
        if kind:
            counters[kind] += 1
            numbers[embed.label] = counters[kind]
    return numbers


def _kind(label: str) -> str | None:
    prefix = label.split("-", 1)[0]
    return prefix if prefix in _NUMBERED_KINDS and "-" in label else None


# --- inline resolution ------------------------------------------------------------------


def _resolve_inline(
    text: str,
    front_matter: dict,
    where: str,
    problems: list[str],
    refs: tuple[dict[str, int], dict[str, str]] | None = None,
) -> str:
    """Resolve escaped and `meta` shortcodes (and, with `refs`, cross-references) in text.

    Only the template pieces between shortcodes are searched for cross-references;
    inserted values are appended as they are.
    """
    pieces: list[str] = []
    position = 0
    for match in _SHORTCODE.finditer(text):
        pieces.append(_template_text(text[position : match.start()], where, problems, refs))
        position = match.end()
        if match.group("escaped"):
            pieces.append(md_text(f"{{{{<{match.group('literal')}>}}}}"))
        elif match.group("percent"):
            problems.append(f"{where}: unsupported shortcode {match.group('percent')}")
        else:
            pieces.append(_shortcode(match.group("code"), front_matter, where, problems))
    pieces.append(_template_text(text[position:], where, problems, refs))
    return "".join(pieces)


def _template_text(
    text: str,
    where: str,
    problems: list[str],
    refs: tuple[dict[str, int], dict[str, str]] | None,
) -> str:
    if _UNTERMINATED.search(text):
        problems.append(f"{where}: unterminated shortcode (no '>}}}}' on the same line)")
    if refs is None:
        return text
    return _link_refs(text, refs, where)


def _link_refs(
    text: str, refs: tuple[dict[str, int], dict[str, str]], where: str = "embedded output"
) -> str:
    """Turn `@tbl-x` into a link "Tabell 3"; an unknown label into the warning "?@tbl-x"."""
    numbers, words = refs

    def link(match: re.Match[str]) -> str:
        label = match.group("label")
        if label not in numbers:
            log.warning("%s: unresolved cross-reference @%s", where, label)
            return f"**?{md_text('@' + label)}**"
        return f"[{words[_kind(label)]} {numbers[label]}](#{label})"

    return _CROSSREF.sub(link, text)


def _shortcode(code: str, front_matter: dict, where: str, problems: list[str]) -> str:
    words = _words(code)
    shown = f"{{{{< {code.strip()} >}}}}"
    name = words[0] if words else ""
    if name == "embed":
        problems.append(f"{where}: {shown}: embed is allowed only alone on a line of the body")
        return ""
    if name != "meta":
        problems.append(
            f"{where}: unknown shortcode {shown}: the built-in renderer resolves only "
            "'embed' and 'meta' (render with Quarto for others)"
        )
        return ""
    if len(words) != 2:
        problems.append(f"{where}: {shown}: expected {{{{< meta key.path >}}}}")
        return ""
    return _meta(words[1], front_matter, f"{where}: {shown}", problems)


def _meta(key: str, front_matter: dict, where: str, problems: list[str]) -> str:
    value: object = front_matter
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            problems.append(f"{where}: no front-matter key {key!r}")
            return ""
        value = value[part]
    text = scalar_markdown(value)
    if text is None:
        problems.append(f"{where}: front-matter key {key!r} is not a single value")
        return ""
    return text


def scalar_markdown(value: object) -> str | None:
    """Markdown for a front-matter value, or None when it is not a scalar.

    Strings are returned as they are: the pipeline writes the front matter and has
    already escaped the data-derived ones with `md_text` (escaping twice would show
    backslashes). Numbers, dates and booleans are escaped here.

    Args:
        value: A value from the front matter.

    Returns:
        Markdown text, or None for lists, mappings and null.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return md_text(value)
    return None


# --- embedded outputs -------------------------------------------------------------------


def _embed_markdown(
    embed: _Embed, numbers: dict[str, int], words: dict[str, str], image_ref: ImageRef
) -> str:
    """Markdown for one embed: a captioned figure or table, or the bare outputs."""
    cell, label = embed.cell, embed.label
    kind = _kind(label)
    caption = None
    if kind:
        text = " ".join(str(cell.options.get(f"{kind}-cap") or "").split())
        caption = f"{words[kind]} {numbers[label]}" + (f": {text}" if text else "")
    generic_alt = " ".join(str(cell.options.get("fig-alt") or "").split())
    if kind == "fig" and any(o.is_image for o in cell.outputs):
        blocks = []
        for o in cell.outputs:
            # Alt text built from the data (given by the notebook) beats the generic one.
            alt = " ".join(o.alt.split()) or generic_alt
            if not o.is_image:
                blocks.append(_block(label, o, alt, image_ref, (numbers, words)))
                continue
            blocks.append(_figure(label, o, caption, alt, image_ref))
            data = _table_rows(o.table)
            if data:
                blocks.append(_figure_data(data, words, label, caption))
    else:
        blocks = [_block(label, o, generic_alt, image_ref, (numbers, words)) for o in cell.outputs]
        if kind == "tbl":
            blocks = _caption_table(blocks, label, caption)
        elif kind == "fig":
            blocks = [f"::: {{#{label} .captioned}}", *blocks, f"[{caption}]{{.caption}}", ":::"]
    return "\n\n" + "\n\n".join(blocks) + "\n\n"


def _figure(label: str, output: Output, caption: str, alt: str, image_ref: ImageRef) -> str:
    attrs = f'#{label} width="100%"' + (f' alt="{_attr(alt)}"' if alt else "")
    return f"![{caption}]({image_ref(label, output, alt or _plain(caption))}){{{attrs}}}"


def _table_rows(markdown: str) -> str:
    """Only the pipe table of a figure's data: its notes already stand under the report's
    own table, and saying them twice would repeat sentences."""
    return "\n".join(line for line in markdown.splitlines() if line.lstrip().startswith("|"))


def _figure_data(table: str, words: dict[str, str], label: str, caption: str) -> str:
    """The figure's data as a captioned table in a `.figure-data` div.

    The safety filter makes it a folded `<details>` in HTML and drops it from the PDF
    (where the same numbers stand in the report's own table, and the alt text).
    """
    title = f"{words['figure-data']}: {caption}"
    blocks = _caption_table([table.strip()], f"{label}-data", title)
    return "\n\n".join(["::: {.figure-data}", words["figure-data"], *blocks, ":::"])


def _block(
    label: str,
    output: Output,
    alt: str,
    image_ref: ImageRef,
    refs: tuple[dict[str, int], dict[str, str]] | None = None,
) -> str:
    if output.is_image:  # an image outside a figure: empty caption keeps it inline
        alt = alt or label
        return f'![]({image_ref(label, output, alt)}){{alt="{_attr(alt)}"}}'
    if output.mime == "text/markdown":
        text = str(output.data).strip("\n")
        return _link_refs(text, refs) if refs else text
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", str(output.data))), default=0))
    return f"{fence}\n{str(output.data).rstrip()}\n{fence}"


def _caption_table(blocks: list[str], label: str, caption: str) -> list[str]:
    """Put the caption (with the anchor) right before the first pipe table."""
    text = "\n\n".join(blocks)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|") and (i == 0 or not lines[i - 1].strip()):
            head = "\n".join(lines[:i]).strip("\n")
            table = "\n".join(lines[i:])
            return [*([head] if head else []), f": {caption} {{#{label}}}", table]
    return [f"::: {{#{label} .captioned}}", f"[{caption}]{{.caption}}", *blocks, ":::"]


def _plain(markdown: str) -> str:
    """Undo backslash escapes: a caption as plain text (alt text for the PDF)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _attr(text: str) -> str:
    """Quote text for a pandoc attribute value."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _raise_if(problems: list[str]) -> None:
    if problems:
        raise ShortcodeError("\n".join(problems))
