"""YAML for untrusted text (scenario files, uploads, link tokens): plain data only, within budgets.

``load`` first walks the parser's event stream once, without building anything, and refuses
anchors and aliases (a recursive alias hangs any consumer, a "billion laughs" file expands a few
hundred bytes into gigabytes), explicit tags other than the plain scalar ones, keys that are not
text, duplicate keys, nesting deeper than ``MAX_DEPTH`` and more than ``MAX_NODES`` values. Only
then are the nodes built, by the safe constructor. Every refusal is an InputError of one short
line naming the source and the line.
"""

from __future__ import annotations

from typing import Any

import yaml

from simulator.errors import InputError, clip

#: Largest text accepted [bytes].
MAX_BYTES = 1_000_000
#: Deepest nesting of lists and mappings accepted (a scenario needs 4: file, levers, lever, range).
MAX_DEPTH = 20
#: Most values (scalars, lists, mappings) in one text; a scenario lever has about 20.
MAX_NODES = 100_000

#: Texts up to this size are parsed again by the pure-Python parser for its clearer syntax-error
#: wording; larger ones report libyaml's (the pure-Python scanner can take seconds on hostile text).
_MESSAGE_REPARSE_BYTES = 100_000
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _check_events(text: str, source: str, loader: type) -> None:  # noqa: C901 -- outlier listed in #23 (complexity 13): split, then drop this
    """Walk the events once; raise InputError at the first thing not allowed."""
    stack: list[list[Any]] = []  # ["map", expecting_key, seen keys] or ["seq"]
    nodes = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise InputError(
                f"{source}: line {_line(event)}: YAML anchors and aliases (&name, *name) are not allowed; "
                "write each value out"
            )
        tag = getattr(event, "tag", None)
        explicit = (
            tag is not None
            and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0])
            and not (isinstance(event, yaml.CollectionStartEvent) and event.implicit)
        )
        if explicit and tag not in _PLAIN_TAGS:
            name = clip(_tag_name(tag or ""))
            raise InputError(
                f"{source}: line {_line(event)}: tag {name!r} is not allowed; scenario files "
                "hold plain data only (numbers, text, lists, mappings)"
            )
        nodes += 1
        if nodes > MAX_NODES:
            raise InputError(
                f"{source}: line {_line(event)}: more than {MAX_NODES} values: expected a smaller file"
            )
        if stack and stack[-1][0] == "map":
            frame = stack[-1]
            if frame[1]:
                if not isinstance(event, yaml.ScalarEvent):
                    raise InputError(
                        f"{source}: line {_line(event)}: a key must be plain text, not a list or mapping"
                    )
                if event.value in frame[2]:
                    raise InputError(f"{source}: line {_line(event)}: duplicate key {clip(event.value)!r}")
                frame[2].add(event.value)
            frame[1] = not frame[1]
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise InputError(
                    f"{source}: line {_line(event)}: lists and mappings nested more than {MAX_DEPTH} deep: "
                    "expected a flatter file"
                )
            stack.append(["map", True, set()] if isinstance(event, yaml.MappingStartEvent) else ["seq"])


def _syntax_error(err: yaml.YAMLError, source: str) -> InputError:
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = (err.problem or err.context or "invalid YAML").strip()
        return InputError(f"{source}: YAML syntax error{where}: {clip(problem, 120)}")
    return InputError(f"{source}: YAML error: {clip(err, 120)}")


def load(text: str, source: str = "<yaml>") -> Any:
    """Plain data (dict, list, str, int, float, bool, None, dates) from untrusted YAML ``text``.

    Raises
    ------
    InputError
        One line naming ``source`` (and the line) for text over ``MAX_BYTES``, a syntax error,
        an anchor or alias, a tag, a non-text or duplicate key, nesting over ``MAX_DEPTH`` or
        more than ``MAX_NODES`` values.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        raise InputError(f"{source}: file is {size} bytes; scenario files are limited to 1 MB")
    try:
        _check_events(text, source, _FAST)
    except yaml.YAMLError as fast_err:
        problem = str(getattr(fast_err, "problem", "") or "")
        if "nesting depth" in problem:  # libyaml stops at 1000 levels before any event is seen
            mark = getattr(fast_err, "problem_mark", None)
            raise InputError(
                f"{source}: line {mark.line + 1 if mark else 0}: lists and mappings nested more than "
                f"{MAX_DEPTH} deep: "
                "expected a flatter file"
            ) from None
        if size > _MESSAGE_REPARSE_BYTES:
            raise _syntax_error(fast_err, source) from None
        # the C parser's wording differs; the pure-Python one names the problem as documented
        try:
            _check_events(text, source, yaml.SafeLoader)
        except yaml.YAMLError as err:
            raise _syntax_error(err, source) from None
        raise _syntax_error(fast_err, source) from None
    try:
        node = yaml.compose(text, Loader=_FAST)
        if node is None:
            return None
        return yaml.SafeLoader("").construct_document(node)
    except yaml.YAMLError as err:
        raise _syntax_error(err, source) from None
    except (ValueError, OverflowError, RecursionError) as err:  # e.g. a timestamp out of range
        raise InputError(
            f"{source}: a value cannot be read ({type(err).__name__}: {clip(err, 80)})"
        ) from None
