"""Expected renderings of the catalogue models' chat templates, by jinja2 as Hugging Face's
apply_chat_template configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
raise_exception). ChatFormatTest holds Cromwell's Jinjava rendering to these files.

    python render_expected.py          # write <model>.<conversation>.txt
    python render_expected.py --check  # fail if a written file differs from jinja2's rendering
"""
import json
import pathlib
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
MODELS = {  # template file -> (bos_token, eos_token) from the GGUF's tokenizer.ggml.*_token_id
    "smollm2-135m-instruct": ("<|im_start|>", "<|im_end|>"),
    "qwen2.5-coder-0.5b-instruct": ("<|endoftext|>", "<|im_end|>"),
    "qwen2.5-coder-1.5b-instruct": ("<|endoftext|>", "<|im_end|>"),
}


def raise_exception(message):
    raise ValueError(message)


def render(template: str, messages, bos: str, eos: str) -> str:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=True, bos_token=bos, eos_token=eos)


def main() -> int:
    check = "--check" in sys.argv[1:]
    conversations = json.loads((HERE / "conversations.json").read_text(encoding="utf-8"))
    bad = []
    for model, (bos, eos) in MODELS.items():
        template = (HERE / f"{model}.jinja").read_text(encoding="utf-8")
        for name, messages in conversations.items():
            expected = render(template, messages, bos, eos)
            path = HERE / f"{model}.{name}.txt"
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != expected:
                    bad.append(path.name)
            else:
                path.write_text(expected, encoding="utf-8")
    if bad:
        print("chat renderings differ from jinja2's: " + ", ".join(bad)
              + " (run lsp-server/src/test/resources/chat/render_expected.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
