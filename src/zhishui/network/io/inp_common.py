"""Sectioned-text reading and writing shared by the SWMM and EPANET .inp readers and writers.

Both formats are plain text in `[SECTION]` blocks; `;` starts a comment; values are separated
by white space (a value with spaces is written in double quotes). Lines keep their 1-based
numbers so that every problem can point at the line and column it is about.
"""

from __future__ import annotations

import codecs
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhishui.core.errors import InputRejected, Problem

MAX_PROBLEMS = 200

_TOKEN = re.compile(r'"([^"]*)"|([^\s";]+)|(;.*)')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass
class InpLine:
    """One data line of a section: its number, its values and its inline comment."""

    number: int
    tokens: list[str]
    comment: str = ""


@dataclass
class InpSection:
    """All blocks of one section name, in file order (a name may appear more than once)."""

    name: str
    line: int
    lines: list[InpLine] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


class ProblemList:
    """Problems found in one file, capped at MAX_PROBLEMS."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, message: str, line: int | None = None, field: str | None = None) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(message, file=self.file, line=line, field=field))

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def raise_if_any(self) -> None:
        """Raise InputRejected with the problems in line order, if there are any."""
        if self.items:
            items = sorted(self.items, key=lambda p: (p.line is None, p.line or 0))
            raise InputRejected(problems=items)


def decode(data: bytes, problems: ProblemList) -> str | None:
    """The text of an .inp file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            problems.add("the file starts with a UTF-16 mark but is not UTF-16 text", line=1)
            return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    line = data.count(b"\n", 0, first.start) + 1
    problems.add(f"the file is neither UTF-8 nor GB18030 text (byte 0x{data[first.start]:02X} "
                 "cannot be decoded)", line=line)
    return None


def tokenize(text: str) -> tuple[list[str], str]:
    """The values of one line and its inline comment (without the ';')."""
    tokens: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group(3) is not None:
            return tokens, m.group(3)[1:].strip()
        tokens.append(m.group(1) if m.group(1) is not None else m.group(2))
    return tokens, ""


def split_sections(text: str, problems: ProblemList, stop_at_end: bool = False
                   ) -> dict[str, InpSection]:
    """Sections by upper-case name, in order of first appearance."""
    sections: dict[str, InpSection] = {}
    current: InpSection | None = None
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.rstrip("\r").rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("["):
            close = stripped.find("]")
            name = stripped[1:close].strip().upper() if close > 0 else ""
            if not name or " " in name:
                problems.add(f"garbled section header {stripped!r}", line=number)
                current = None
                continue
            if stop_at_end and name == "END":
                break
            current = sections.get(name)
            if current is None:
                current = sections[name] = InpSection(name, number)
            continue
        if current is None:
            if not stripped.startswith(";"):
                problems.add(f"text outside any [SECTION]: {stripped[:40]!r}", line=number)
            continue
        current.raw.append(line)
        if stripped.startswith(";"):
            continue
        tokens, comment = tokenize(stripped)
        if tokens:
            current.lines.append(InpLine(number, tokens, comment))
    return sections


def read_sections(path: Path, problems: ProblemList, stop_at_end: bool = False
                  ) -> dict[str, InpSection]:
    """Decode and split a file; raises InputRejected if it is not text."""
    text = decode(path.read_bytes(), problems)
    if text is None:
        problems.raise_if_any()
        return {}
    return split_sections(text, problems, stop_at_end)


def is_number(token: str) -> bool:
    return bool(_NUMBER.fullmatch(token))


def value(token: str) -> float | str:
    """A number as float, anything else as the string written."""
    return float(token) if is_number(token) else token


class Row:
    """One data line read against the column names of its section."""

    def __init__(self, line: InpLine, section: str, columns: Sequence[str],
                 problems: ProblemList) -> None:
        self.line = line
        self.tokens = line.tokens
        self.section = section
        self.columns = columns
        self.problems = problems
        self.ok = True

    def col(self, i: int) -> str:
        return self.columns[i] if i < len(self.columns) else f"value {i + 1}"

    def problem(self, message: str, i: int | None) -> None:
        self.ok = False
        self.problems.add(message, self.line.number, None if i is None else self.col(i))

    def need(self, n: int) -> bool:
        """At least n values, else a problem naming the first missing column."""
        if len(self.tokens) >= n:
            return True
        self.problem(f"[{self.section}] needs at least {n} values, found {len(self.tokens)}",
                     len(self.tokens))
        return False

    def has(self, i: int) -> bool:
        return i < len(self.tokens)

    def text(self, i: int, default: str | None = None) -> str | None:
        return self.tokens[i] if i < len(self.tokens) else default

    def num(self, i: int, default: float | None = None) -> float | None:
        """The number in column i (default if absent); a problem if it is not a number."""
        if i >= len(self.tokens):
            return default
        tok = self.tokens[i]
        if not is_number(tok):
            self.problem(f"{self.col(i)}: {tok!r} is not a number", i)
            return default
        return float(tok)

    def keyword(self, i: int, allowed: Iterable[str], default: str | None = None) -> str | None:
        """The upper-cased keyword in column i; a problem if it is not one of `allowed`."""
        if i >= len(self.tokens):
            return default
        word = self.tokens[i].upper()
        allowed = tuple(allowed)
        if word not in allowed:
            self.problem(f"{self.col(i)}: {self.tokens[i]!r} is not one of {', '.join(allowed)}",
                         i)
            return default
        return word


def fmt(v: Any) -> str:
    """A value as an .inp token: numbers without float noise, text quoted if needed."""
    if v is None:
        return "*"
    if isinstance(v, bool):
        return "YES" if v else "NO"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} to an .inp file")
        return "0" if v == 0 else f"{v:.12g}"
    s = str(v)
    if not s or any(c.isspace() for c in s) or ";" in s:
        return '"' + s.replace('"', "'") + '"'
    return s


def row(values: Iterable[Any], comment: str | None = None) -> str:
    """One aligned data line."""
    text = " ".join(f"{fmt(v):<16}" for v in values).rstrip()
    return f"{text} ;{comment}" if comment else text


def header(name: str, columns: Sequence[str]) -> list[str]:
    """A section header and a comment line naming its columns, aligned with `row`."""
    if not columns:
        return [f"[{name}]"]
    first, *rest = columns
    return [f"[{name}]", (f";;{first:<15}" + "".join(f" {c:<16}" for c in rest)).rstrip()]


def polyline_length(points: Sequence[Sequence[float]]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))
