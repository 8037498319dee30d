"""One JSON shape for every error: {"error": {"code", "message", "field"}}, never a 500."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from scheduler_core.domain import (
    DuplicateTask,
    InvalidTransition,
    ScheduleInvalid,
    ScheduleNotFound,
    StaleTask,
    TaskInvalid,
    TaskNotFound,
    UnknownTask,
    WorkerInvalid,
    WorkerNotFound,
    WorkflowNotFound,
)
from scheduler_core.domain.alerts import AlertRuleInvalid
from scheduler_core.domain.ports.alerts import AlertRuleNotFound

# Where a batch's UnknownTask message says which request it was ("requests[3]: ...").
_BATCH_INDEX = re.compile(r"^(requests\[\d+\])")
# Locations pydantic prefixes to a field path; clients know a field by its name alone.
_SOURCES = {"body", "query", "path", "header", "cookie", "payload"}


class ApiError(Exception):
    """An error with its HTTP status, machine-readable code and (optionally) the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


class UnsupportedMediaType(ValueError):
    """A request body that is not declared as application/json."""


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "field": field}}


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every error the API can meet onto the JSON error shape and its status."""

    def respond(request: HttpRequest, error: ApiError) -> HttpResponse:
        response = api.create_response(
            request, error_body(error.code, error.message, error.field), status=error.status
        )
        for header, value in error.headers.items():
            response[header] = value
        return response

    def handler(to_api_error: Any) -> Any:
        return lambda request, exc: respond(request, to_api_error(exc))

    api.add_exception_handler(ApiError, handler(lambda exc: exc))
    api.add_exception_handler(ValidationError, handler(_from_validation))
    api.add_exception_handler(AuthenticationError, handler(_unauthenticated))
    api.add_exception_handler(AuthorizationError, handler(_forbidden))
    api.add_exception_handler(HttpError, handler(_from_http_error))
    api.add_exception_handler(Http404, handler(lambda exc: _not_found("no such resource")))
    api.add_exception_handler(RequestDataTooBig, handler(lambda exc: _too_large()))
    api.add_exception_handler(TaskInvalid, handler(_from_invalid))
    api.add_exception_handler(WorkerInvalid, handler(_from_invalid))
    api.add_exception_handler(ScheduleInvalid, handler(_from_invalid))
    api.add_exception_handler(ScheduleNotFound, handler(lambda exc: _not_found(str(exc))))
    api.add_exception_handler(AlertRuleInvalid, handler(_from_invalid))
    api.add_exception_handler(AlertRuleNotFound, handler(lambda exc: _not_found(str(exc))))
    api.add_exception_handler(UnknownTask, handler(_from_unknown_task))
    api.add_exception_handler(TaskNotFound, handler(lambda exc: _not_found(str(exc))))
    api.add_exception_handler(WorkerNotFound, handler(lambda exc: _not_found(str(exc))))
    api.add_exception_handler(WorkflowNotFound, handler(lambda exc: _not_found(str(exc))))
    api.add_exception_handler(InvalidTransition, handler(_conflict("invalid_state")))
    api.add_exception_handler(StaleTask, handler(_conflict("conflict")))
    api.add_exception_handler(DuplicateTask, handler(_conflict("duplicate")))


def _from_validation(exc: ValidationError) -> ApiError:
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if str(part) not in _SOURCES]
    field = ".".join(location) or None
    message = str(first.get("msg", "invalid input"))
    return ApiError(422, "invalid", message, field=field)


def _from_invalid(
    exc: TaskInvalid | WorkerInvalid | ScheduleInvalid | AlertRuleInvalid,
) -> ApiError:
    return ApiError(422, "invalid", exc.message, field=exc.field)


def _from_unknown_task(exc: UnknownTask) -> ApiError:
    match = _BATCH_INDEX.match(str(exc))
    field = f"{match.group(1)}.name" if match else "name"
    return ApiError(422, "unknown_task", str(exc), field=field)


def _from_http_error(exc: HttpError) -> ApiError:
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return _too_large()
    if isinstance(cause, UnsupportedMediaType):
        return ApiError(415, "unsupported_media_type", str(cause))
    if exc.status_code == 403:
        return ApiError(403, "csrf_failed", "a session request must carry the CSRF token")
    if exc.status_code == 400:
        return ApiError(400, "malformed", "the request body is not valid JSON")
    return ApiError(exc.status_code, "error", str(exc))


def _too_large() -> ApiError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ApiError(413, "too_large", f"the request body is larger than {limit} bytes")


def _unauthenticated(exc: Exception) -> ApiError:
    return ApiError(
        401,
        "unauthenticated",
        "send 'Authorization: Bearer <token>', or log in (session and CSRF token)",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def _forbidden(exc: Exception) -> ApiError:
    return ApiError(403, "forbidden", str(exc) or "your role does not allow this")


def _not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def _conflict(code: str) -> Any:
    return lambda exc: ApiError(409, code, str(exc))
