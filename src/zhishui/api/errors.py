"""Maps domain errors to HTTP responses with a translated message and the problem list."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from zhishui.core.errors import (
    AuthenticationFailed,
    Conflict,
    InputRejected,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    ZhishuiError,
)

STATUS = {
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    ValidationFailed: 422,
    InputRejected: 422,
}


def _status(exc: ZhishuiError) -> int:
    for cls, status in STATUS.items():
        if isinstance(exc, cls):
            return status
    return 400


async def zhishui_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ZhishuiError)
    body: dict[str, object] = {"error": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = {k: str(v) for k, v in exc.details.items()}
    if isinstance(exc, InputRejected):
        body["problems"] = [
            {"message": p.message, "file": p.file, "line": p.line, "field": p.field}
            for p in exc.problems
        ]
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationFailed) else None
    return JSONResponse(body, status_code=_status(exc), headers=headers)


async def request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "message": e.get("msg"),
            "field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
            "file": None,
            "line": None,
        }
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"message": "invalid request", "field": None}
    message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    return JSONResponse({"error": "invalid", "message": message, "problems": problems}, 422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ZhishuiError, zhishui_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
