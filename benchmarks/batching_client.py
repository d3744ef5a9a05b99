#!/usr/bin/env python3
"""Concurrent streaming completions against a running `cromwell serve`; prints a markdown table.

For each stream count N: N completions start at once (each its own prompt, greedy, max_tokens
tokens), streamed over SSE. Aggregate tokens/s is all generated tokens over the wall time from the
first request to the last [DONE], prompts included. Per-token latency is the gap between a stream's
consecutive text events as the client receives them (the first token, which includes the prompt,
is reported apart as time to first token). The ratio compares aggregate tokens/s with N = 1.

  batching_client.py URL TOKENS N [N...]
"""
import json
import statistics
import sys
import threading
import time
import urllib.request

PROMPTS = [
    "Write a long story about a lighthouse keeper who finds a message in a bottle.",
    "Explain in detail how a hash map works, with an example in Java.",
    "Describe the water cycle for a class of ten-year-olds, step by step.",
    "Write a detailed recipe for bread, from flour to the first slice.",
    "Tell the history of the bicycle from its invention to today.",
    "Explain how a compiler turns source code into machine code.",
    "Write a letter to a friend about a journey through the mountains.",
    "Describe how to plan a vegetable garden for a small backyard.",
]


def stream(url, prompt, tokens, out):
    body = json.dumps({"prompt": prompt, "max_tokens": tokens, "temperature": 0, "stream": True,
                       "stream_options": {"include_usage": True}}).encode()
    request = urllib.request.Request(url + "/v1/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    arrivals, generated = [], 0
    with urllib.request.urlopen(request, timeout=600) as response:
        for raw in response:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if event.get("usage"):
                generated = event["usage"]["completion_tokens"]
            for choice in event.get("choices", []):
                if choice.get("text"):
                    arrivals.append(time.perf_counter())
    out.append((start, arrivals, generated, time.perf_counter()))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(url, tokens, n):
    results = []
    threads = [threading.Thread(target=stream, args=(url, PROMPTS[i % len(PROMPTS)], tokens,
                                                     results)) for i in range(n)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    generated = sum(r[2] for r in results)
    gaps = [b - a for _, arrivals, _, _ in results for a, b in zip(arrivals, arrivals[1:])]
    first = [arrivals[0] - start for start, arrivals, _, _ in results if arrivals]
    return {"n": n, "tokens": generated, "wall": wall, "tps": generated / wall,
            "p50": 1000 * statistics.median(gaps), "p95": 1000 * percentile(gaps, 95),
            "ttft": 1000 * statistics.median(first)}


def main():
    url, tokens, counts = sys.argv[1], int(sys.argv[2]), [int(a) for a in sys.argv[3:]]
    run(url, 8, 1)  # warm-up: JIT the kernels before anything is timed
    rows = [run(url, tokens, n) for n in counts]
    base = next((r["tps"] for r in rows if r["n"] == 1), rows[0]["tps"])
    print("| streams | generated tokens | wall s | aggregate tok/s | vs 1 stream "
          "| per-token p50 ms | per-token p95 ms | first token p50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['tokens']} | {r['wall']:.1f} | {r['tps']:.1f} "
              f"| {r['tps'] / base:.2f}x | {r['p50']:.0f} | {r['p95']:.0f} | {r['ttft']:.0f} |")


if __name__ == "__main__":
    main()
