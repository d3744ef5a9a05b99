"""Python client for Cromwell's OpenAI-compatible HTTP API (`cromwell serve`)."""
from .client import Client
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionError,
    CromwellError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from .types import (
    ChatCompletion,
    Completion,
    EditResult,
    Model,
    Position,
    TextEdit,
    Usage,
)

__all__ = [
    "Client",
    "CromwellError",
    "AuthenticationError",
    "BadRequestError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "ConnectionError",
    "Completion",
    "ChatCompletion",
    "EditResult",
    "TextEdit",
    "Position",
    "Model",
    "Usage",
]
