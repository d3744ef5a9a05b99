"""A synchronous client over the standard library's urllib: no dependencies to install."""
import json
import os
import urllib.error
import urllib.request
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from . import errors
from .types import ChatCompletion, Completion, EditResult, Model, Position, TextEdit, Usage

Message = Dict[str, str]
Stop = Union[str, Sequence[str], None]


class Client:
    """Talks to `cromwell serve`.

    base_url defaults to $CROMWELL_URL or http://127.0.0.1:8080; api_key to $CROMWELL_API_KEY.
    """

    def __init__(self, base_url: Optional[str] = None, api_key: Optional[str] = None,
                 timeout: float = 300.0):
        self.base_url = (base_url or os.environ.get("CROMWELL_URL")
                         or "http://127.0.0.1:8080").rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("CROMWELL_API_KEY")
        self.timeout = timeout

    # -- completions ---------------------------------------------------------------------------

    def complete(self, prompt: str, *, suffix: Optional[str] = None, max_tokens: int = 16,
                 temperature: Optional[float] = None, top_p: Optional[float] = None,
                 stop: Stop = None, seed: Optional[int] = None,
                 model: Optional[str] = None) -> Completion:
        """Continues `prompt` (fills in the middle up to `suffix` when given)."""
        data = self._post("/v1/completions", _options(
            {"prompt": prompt, "suffix": suffix}, max_tokens, temperature, top_p, stop, seed,
            model))
        choice = data["choices"][0]
        return Completion(data["id"], data["model"], choice["text"], choice["finish_reason"],
                          Usage.from_json(data["usage"]))

    def complete_stream(self, prompt: str, *, suffix: Optional[str] = None,
                        max_tokens: int = 16, temperature: Optional[float] = None,
                        top_p: Optional[float] = None, stop: Stop = None,
                        seed: Optional[int] = None, model: Optional[str] = None) -> Iterator[str]:
        """Yields the completion's text as it is generated."""
        body = _options({"prompt": prompt, "suffix": suffix, "stream": True}, max_tokens,
                        temperature, top_p, stop, seed, model)
        for chunk in self._stream("/v1/completions", body):
            for choice in chunk.get("choices", []):
                if choice.get("text"):
                    yield choice["text"]

    # -- chat ----------------------------------------------------------------------------------

    def chat(self, messages: Iterable[Message], *, max_tokens: Optional[int] = None,
             temperature: Optional[float] = None, top_p: Optional[float] = None,
             stop: Stop = None, seed: Optional[int] = None,
             model: Optional[str] = None) -> ChatCompletion:
        """The assistant's answer to `messages` ({"role": ..., "content": ...} each)."""
        data = self._post("/v1/chat/completions", _options(
            {"messages": list(messages)}, max_tokens, temperature, top_p, stop, seed, model))
        choice = data["choices"][0]
        return ChatCompletion(data["id"], data["model"], choice["message"]["content"],
                              choice["finish_reason"], Usage.from_json(data["usage"]))

    def chat_stream(self, messages: Iterable[Message], *, max_tokens: Optional[int] = None,
                    temperature: Optional[float] = None, top_p: Optional[float] = None,
                    stop: Stop = None, seed: Optional[int] = None,
                    model: Optional[str] = None) -> Iterator[str]:
        """Yields the assistant's answer as it is generated."""
        body = _options({"messages": list(messages), "stream": True}, max_tokens, temperature,
                        top_p, stop, seed, model)
        for chunk in self._stream("/v1/chat/completions", body):
            for choice in chunk.get("choices", []):
                content = choice.get("delta", {}).get("content")
                if content:
                    yield content

    # -- edits, models, health -----------------------------------------------------------------

    def edit(self, path: str, text: str, instruction: str, *, start_line: Optional[int] = None,
             end_line: Optional[int] = None) -> EditResult:
        """Edits lines start_line..end_line (1-based, inclusive; default the whole file)."""
        body: Dict[str, Any] = {"path": path, "text": text, "instruction": instruction}
        if start_line is not None:
            body["range"] = {"start_line": start_line,
                             "end_line": end_line if end_line is not None else start_line}
        data = self._post("/v1/cromwell/edit", body)
        edits = [TextEdit(Position(**e["range"]["start"]), Position(**e["range"]["end"]),
                          e["new_text"]) for e in data["edits"]]
        return EditResult(data["path"], data["text"], data["diff"], edits, data.get("refusal"),
                          list(data.get("notes", [])))

    def models(self) -> List[Model]:
        data = self._request("GET", "/v1/models")
        return [Model(m["id"], bool(m.get("loaded")), bool(m.get("installed")))
                for m in data["data"]]

    def health(self) -> Dict[str, Any]:
        return self._request("GET", "/health")

    # -- transport -----------------------------------------------------------------------------

    def _post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._request("POST", path, body)

    def _open(self, method: str, path: str, body: Optional[Dict[str, Any]]):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers,
                                         method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except ValueError:
                parsed = {}
            raise errors.from_response(e.code, parsed, e.headers) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise errors.ConnectionError(
                f"cannot reach Cromwell at {self.base_url}: {reason}"
                " (is `cromwell serve` running?)") from None

    def _request(self, method: str, path: str,
                 body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        with self._open(method, path, body) as response:
            data = json.loads(response.read().decode("utf-8"))
        if isinstance(data, dict) and "error" in data:  # an error after the status was sent
            raise errors.from_response(500, data, None)
        return data

    def _stream(self, path: str, body: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        with self._open("POST", path, body) as response:
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line.startswith("data: "):
                    continue
                payload = line[len("data: "):]
                if payload == "[DONE]":
                    return
                chunk = json.loads(payload)
                if "error" in chunk:
                    raise errors.from_response(500, chunk, None)
                yield chunk


def _options(body: Dict[str, Any], max_tokens, temperature, top_p, stop, seed,
             model) -> Dict[str, Any]:
    extra = {"max_tokens": max_tokens, "temperature": temperature, "top_p": top_p,
             "stop": stop if stop is None or isinstance(stop, str) else list(stop),
             "seed": seed, "model": model}
    merged = dict(body, **extra)
    return {k: v for k, v in merged.items() if v is not None}
