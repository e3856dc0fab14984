"""Loading YAML inputs safely: no arbitrary objects, no duplicated keys, errors with lines."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.errors import InputError, Problem
from pipeline.readers.safety import check_file_size


class _ValueRefused(yaml.constructor.ConstructorError):
    """A scalar whose shape names a type whose constructor then refuses it."""


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicated mapping keys (PyYAML keeps the last one) and
    aliases: nine nested aliases of ten each are a billion values to whatever walks them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed; write the value out", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicated key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node, deep=False):
        # A constructor that parses a scalar raises plain Python errors for values that
        # match its pattern but mean nothing (`2026-13-25` is a timestamp by its shape,
        # then `datetime.date` refuses month 13). Turn them into a marked error here,
        # where the node still knows its line, so the analyst sees line and value.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError) as exc:
            shown = f"{node.value!r} " if isinstance(node, yaml.ScalarNode) else "the value "
            raise _ValueRefused(
                None,
                None,
                f"{shown}is not a valid {node.tag.rsplit(':', 1)[-1]} ({exc})",
                node.start_mark,
            ) from exc


def _written_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int | str:
    """An int scalar as YAML 1.1 reads it, unless its digits say it is a code.

    YAML 1.1 reads `0114` as the octal 76, `1:30` as 90 and `1_000` as 1000, so a kommunkod
    or an answer code (`01`) written unquoted would become another key. Such a scalar is
    kept as the text written; a plain decimal (`12`, `-3`) stays an int.
    """
    text = node.value.lstrip("+-")
    if text.isdigit() and not (len(text) > 1 and text.startswith("0")):
        return loader.construct_yaml_int(node)
    return node.value


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _written_int)


def load_yaml(path: Path, display: str) -> object:
    """Load a YAML file safely, or stop with a one-line error naming the line.

    Args:
        path: The file.
        display: How to name the file in messages.

    Returns:
        The loaded document (plain dicts, lists, str, int, float, bool, None).

    Raises:
        InputError: Missing file, too large, not UTF-8, a syntax error, a duplicated key,
            an alias or a value its type refuses (a date with month 13).
    """
    if not path.is_file():
        raise InputError(Problem(display, "file not found"))
    check_file_size(path, display)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(display, f"is not UTF-8 text (byte {exc.start})")) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _ValueRefused as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        raise InputError(Problem(display, f"{where}: {exc.problem}")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = exc.problem or exc.context or "invalid YAML"
        raise InputError(Problem(display, f"YAML syntax error at {where}{reason}")) from exc
    except yaml.YAMLError as exc:
        raise InputError(Problem(display, f"YAML syntax error: {exc}")) from exc
    except RecursionError:  # thousands of nested brackets
        raise InputError(Problem(display, "YAML is nested too deeply")) from None


def load_mapping(path: Path) -> dict:
    """A YAML file whose top level is a mapping (an empty file is an empty one).

    Raises:
        InputError: As `load_yaml`, or the top level is not a mapping.
    """
    data = load_yaml(path, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            Problem(str(path), "expected a mapping of keys to values at the top level")
        )
    return data
