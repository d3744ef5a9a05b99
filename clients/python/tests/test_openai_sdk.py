"""Conformance: the official openai SDK against a live server on the real SmolLM2."""
import openai
import pytest

from conftest import API_KEY

MODEL = "smollm2-135m-instruct"


@pytest.fixture()
def sdk(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=API_KEY, max_retries=0)


def test_completions(sdk):
    r = sdk.completions.create(model=MODEL, prompt="1, 2, 3, 4,", max_tokens=6, temperature=0,
                               stop=[" 6"])
    assert r.object == "text_completion"
    assert r.choices[0].text == " 5,"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens >= 1


def test_streaming_chat(sdk):
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    whole = sdk.chat.completions.create(model=MODEL, messages=messages, max_tokens=12,
                                        temperature=0)
    stream = sdk.chat.completions.create(model=MODEL, messages=messages, max_tokens=12,
                                         temperature=0, stream=True,
                                         stream_options={"include_usage": True})
    pieces, finish, usage = [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish = choice.finish_reason
    assert "Paris" in whole.choices[0].message.content
    assert "".join(pieces) == whole.choices[0].message.content
    assert finish == whole.choices[0].finish_reason
    assert usage.completion_tokens == whole.usage.completion_tokens


def test_errors(sdk):
    with pytest.raises(openai.BadRequestError) as e:
        sdk.completions.create(model=MODEL, prompt="x", max_tokens=4, top_p=5)
    assert e.value.status_code == 400
    assert "top_p" in e.value.message
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="gpt-4o",
                                    messages=[{"role": "user", "content": "hi"}])
    models = sdk.models.list()
    assert models.data[0].id == MODEL


def test_bad_key(server):
    bad = openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as e:
        bad.models.list()
    assert e.value.status_code == 401
