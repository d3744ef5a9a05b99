"""cromwell_client against a live server on the real SmolLM2."""
import re

import pytest

import cromwell_client
from conftest import API_KEY

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture()
def client(server):
    return cromwell_client.Client(server.url, api_key=API_KEY)


def test_complete_and_its_stream_agree(client):
    whole = client.complete("1, 2, 3, 4,", max_tokens=6, temperature=0, stop=[" 6"])
    assert isinstance(whole, cromwell_client.Completion)
    assert whole.text == " 5,"
    assert whole.finish_reason == "stop"
    assert whole.usage.prompt_tokens > 0
    streamed = "".join(client.complete_stream("1, 2, 3, 4,", max_tokens=6, temperature=0,
                                              stop=[" 6"]))
    assert streamed == whole.text


def test_chat_and_its_stream_agree(client):
    answer = client.chat(QUESTION, max_tokens=12, temperature=0)
    assert isinstance(answer, cromwell_client.ChatCompletion)
    assert "Paris" in answer.content
    pieces = list(client.chat_stream(QUESTION, max_tokens=12, temperature=0))
    assert len(pieces) > 2
    assert "".join(pieces) == answer.content


def test_a_fix_notes_what_it_did_beyond_its_first_answer(client):
    # SmolLM2's first answer to this fix changes nothing, and no line reads unlikely enough to it
    # to look again, so it is not asked again, and the note says why nothing changed.
    text = "import math\n\ndef area(r):\n    return 3.14 * r * r\n"
    result = client.edit("geo.py", text, "fix the bug", start_line=3, end_line=4)
    assert len(result.notes) == 1, result.notes
    note = re.fullmatch(
        r"the first answer changed nothing, and no line reads unusual enough to the model to look"
        r" again \(least likely: line 4, log-probability (-?[0-9.]+), not below (-?[0-9.]+)\)",
        result.notes[0])
    assert note, result.notes
    assert float(note.group(1)) >= float(note.group(2)), result.notes
    assert client.edit("geo.py", text, "use math.pi instead of 3.14", start_line=4).notes == []


def test_edit_gives_edits_that_reproduce_the_new_text_or_a_refusal(client):
    text = "def area(r):\n    return 3.14 * r * r\n"
    result = client.edit("geo.py", text, "use math.pi instead of 3.14", start_line=2)
    assert isinstance(result, cromwell_client.EditResult)
    if result.refused:
        assert result.text == text and result.refusal
    else:
        lines = text.split("\n")
        offsets = [sum(len(l) + 1 for l in lines[:i]) for i in range(len(lines))]
        new = text
        for e in reversed(result.edits):
            start = offsets[e.start.line] + e.start.character
            end = offsets[e.end.line] + e.end.character
            new = new[:start] + e.new_text + new[end:]
        assert new == result.text


def test_models_lists_the_loaded_model_first(client):
    models = client.models()
    assert models[0].id == "smollm2-135m-instruct" and models[0].loaded
    assert client.health()["status"] == "ok"


def test_errors_are_mapped(server, client):
    with pytest.raises(cromwell_client.AuthenticationError) as e:
        cromwell_client.Client(server.url, api_key="wrong").models()
    assert e.value.status == 401 and e.value.code == "invalid_api_key"
    with pytest.raises(cromwell_client.BadRequestError) as e:
        client.complete("x", temperature=7)
    assert e.value.param == "temperature"
    with pytest.raises(cromwell_client.BadRequestError):
        client.complete("x", suffix="y")  # SmolLM2 has no FIM tokens
    with pytest.raises(cromwell_client.NotFoundError):
        client.complete("x", model="gpt-4")
    with pytest.raises(cromwell_client.ConnectionError):
        cromwell_client.Client("http://127.0.0.1:9", timeout=5).models()
