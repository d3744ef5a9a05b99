"""Typed results of the API."""
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @staticmethod
    def from_json(data: dict) -> "Usage":
        return Usage(data["prompt_tokens"], data["completion_tokens"], data["total_tokens"])


@dataclass(frozen=True)
class Completion:
    """A /v1/completions result; finish_reason is "stop" or "length"."""
    id: str
    model: str
    text: str
    finish_reason: str
    usage: Usage


@dataclass(frozen=True)
class ChatCompletion:
    """A /v1/chat/completions result: the assistant's message."""
    id: str
    model: str
    content: str
    finish_reason: str
    usage: Usage


@dataclass(frozen=True)
class Position:
    """An LSP position: 0-based line, UTF-16 code units into it."""
    line: int
    character: int


@dataclass(frozen=True)
class TextEdit:
    start: Position
    end: Position
    new_text: str


@dataclass(frozen=True)
class EditResult:
    """The edited file: new text, unified diff and minimal edits, or the reason it was refused.

    ``notes`` say what a fix did beyond its first answer, one sentence each (no change, since no
    line reads unusual enough to the model to look again; a line written again by
    fill-in-the-middle, which is a guess to check; a line the model writes as it stands, so no
    change; a fill not taken, and why; a line changed by one token, the smallest change after
    which the model finds it likely, also a guess to check; asked again about a line; an answer
    that changed other lines and kept the line that reads least likely, which is then written
    again).
    """
    path: str
    text: str
    diff: str
    edits: List[TextEdit] = field(default_factory=list)
    refusal: Optional[str] = None
    notes: List[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@dataclass(frozen=True)
class Model:
    id: str
    loaded: bool
    installed: bool
