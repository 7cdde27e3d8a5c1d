"""Read a YAML file into plain data plus the line of every value, for error messages.

PyYAML composes the node tree (with libyaml when it is there) and this module builds the data
from it, recording for each path (`("questions", 3, "en", "answer")`) the 1-based line of the
key that holds it (or of the item, in a list). Duplicate keys, which YAML would silently
collapse, are returned as problems, and so is the one construct we know libyaml accepts but
PyYAML's pure-Python parser rejects (a `?` in unquoted text inside [...]), so that a bank that
passes the check also loads with a plain `yaml.safe_load` anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class YamlFile:
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    # (line, path, message) for what YAML itself allows but the bank does not: duplicate keys,
    # and text that only libyaml reads
    problems: list[tuple[int, tuple, str]] = field(default_factory=list)

    def line(self, path: tuple, default: int = 1) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            line = self.lines.get(path)
            if line is not None:
                return line
            path = path[:-1]
        return self.lines.get((), default)


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _as_syntax_error(exc: yaml.YAMLError) -> YamlSyntaxError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "syntax error"
        if exc.context:
            message = f"{message} ({exc.context})"
        return YamlSyntaxError(mark.line + 1 if mark else 1, message)
    return YamlSyntaxError(1, str(exc).splitlines()[0] if str(exc) else "syntax error")


def _syntax_error(text: str) -> YamlSyntaxError:
    """Parse again with the pure-Python loader: its messages do not depend on libyaml."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return _as_syntax_error(exc)
    return YamlSyntaxError(1, "syntax error")


def read_yaml(path: Path) -> YamlFile:
    """Parse `path`; raise YamlSyntaxError (with its line) if it is not YAML."""
    text = path.read_text(encoding="utf-8")
    loader = _FastLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError:
            raise _syntax_error(text) from None
        result = YamlFile(data=None)
        if root is not None:
            result.lines[()] = root.start_mark.line + 1
            try:
                result.data = _Builder(loader, result).build(root, ())
            except yaml.YAMLError as exc:  # a value YAML cannot construct, e.g. an unknown tag
                raise _as_syntax_error(exc) from None
        return result
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: Any, result: YamlFile) -> None:
        self.loader = loader
        self.lines = result.lines
        self.problems = result.problems

    def build(self, node: Node, path: tuple) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag == _STR_TAG:  # most values: skip the constructor's bookkeeping
                return node.value
            return self.loader.construct_object(node)
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                if node.flow_style:
                    self.check_flow_item(item, (*path, i))
                items.append(self.build(item, (*path, i)))
            return items
        if isinstance(node, MappingNode):
            self.loader.flatten_mapping(node)  # YAML merge keys (<<)
            mapping: dict = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                line = key_node.start_mark.line + 1
                try:
                    hash(key)
                except TypeError:
                    self.problems.append((line, path, "a key must be a plain value"))
                    continue
                if key in mapping:
                    first = self.lines[(*path, key)]
                    self.problems.append(
                        (line, (*path, key), f"duplicate key (first given on line {first})")
                    )
                    continue
                self.lines[(*path, key)] = line
                if node.flow_style:
                    self.check_flow_item(value_node, (*path, key))
                mapping[key] = self.build(value_node, (*path, key))
            return mapping
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def check_flow_item(self, node: Node, path: tuple) -> None:
        """libyaml reads `[Why?]`, but PyYAML's own parser (yaml.safe_load without libyaml)
        ends unquoted text at a `?` inside [...] or {...} and fails: ask for quotes."""
        if isinstance(node, ScalarNode) and not node.style and "?" in node.value:
            self.problems.append(
                (
                    node.start_mark.line + 1,
                    path,
                    "put this text in quotes: inside [...] or {...}, unquoted text cannot "
                    "contain '?' (yaml.safe_load fails on it)",
                )
            )
