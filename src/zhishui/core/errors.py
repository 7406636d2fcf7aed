"""Domain errors that adapters map to HTTP statuses, CLI messages and form errors."""

from __future__ import annotations

from dataclasses import dataclass, field


class ZhishuiError(Exception):
    """Base of every error raised on purpose by zhishui."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ZhishuiError):
    code = "not_found"


class Conflict(ZhishuiError):
    code = "conflict"


class PermissionDenied(ZhishuiError):
    code = "forbidden"


class AuthenticationFailed(ZhishuiError):
    code = "unauthorized"


class ValidationFailed(ZhishuiError):
    code = "invalid"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line or row, field) and what."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [p for p in (self.file, f"line {self.line}" if self.line else None) if p]
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class InputRejected(ZhishuiError):
    """A file or request that failed validation; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    code = "invalid_input"

    def __post_init__(self) -> None:
        first = str(self.problems[0]) if self.problems else "invalid input"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        ZhishuiError.__init__(self, first + more)
