"""The API's errors as exceptions, by HTTP status."""
import builtins
from typing import Optional


class CromwellError(Exception):
    """An error answer of the server (OpenAI's error body), or no answer at all."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None,
                 type: Optional[str] = None, param: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.type = type
        self.param = param


class BadRequestError(CromwellError):
    """400, 405 or 413: the request itself is wrong; `param` names the field when known."""


class AuthenticationError(CromwellError):
    """401: the API key is missing or wrong."""


class NotFoundError(CromwellError):
    """404: an unknown URL or a model the server does not run."""


class RateLimitError(CromwellError):
    """429: the server's queue is full; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(CromwellError):
    """5xx: the server failed or timed out."""


class ConnectionError(CromwellError, builtins.ConnectionError):
    """The server could not be reached."""


def from_response(status: int, body: dict, headers) -> CromwellError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {"message": f"HTTP {status}"}
    kwargs = dict(status=status, code=error.get("code"), type=error.get("type"),
                  param=error.get("param"))
    message = error.get("message") or f"HTTP {status}"
    if status == 401:
        return AuthenticationError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status == 429:
        retry = headers.get("Retry-After") if headers is not None else None
        return RateLimitError(message, retry_after=float(retry or 1), **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    if status >= 400:
        return BadRequestError(message, **kwargs)
    return CromwellError(message, **kwargs)
