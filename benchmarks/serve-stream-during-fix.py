#!/usr/bin/env python3
"""How long a streaming completion stalls while another client's fix edit is scored in `cromwell serve`.

A fix scores its selection's lines before it answers (LineLikelihood); this measures what that
does to a stream running beside it. Starts `cromwell serve` from each checkout in turn (rounds
alternating, so both see the same stretch of machine load), streams a long completion (counting,
which does not end by itself), and while it streams posts "fix the bug" on a ~60-line function;
prints the stream's largest gap between two tokens during the edit, its gaps over 1 s, its tokens
during the edit and the edit's time. With --alone it posts the edit with no stream beside it and
times it; --file and --instruction pick another edit. Needs python3 only.

  benchmarks/serve-stream-during-fix.py [--base OTHER_CHECKOUT] [--rounds N] [--model NAME] [--port P]
      [--alone] [--file FILE] [--instruction TEXT]
(after bin/build in each checkout)."""
import argparse, json, os, signal, subprocess, threading, time, urllib.request

here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--base", help="another built checkout to alternate with this one")
ap.add_argument("--rounds", type=int, default=1)
ap.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
ap.add_argument("--port", type=int, default=18556)
ap.add_argument("--alone", action="store_true", help="time the edit with no stream beside it")
ap.add_argument("--file", help="edit this file (all of it) instead of the built-in function")
ap.add_argument("--instruction", default="fix the bug")
args = ap.parse_args()
url = f"http://127.0.0.1:{args.port}"


def post(path, body, timeout=900):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=timeout)


def answering():
    try:
        urllib.request.urlopen(url + "/health", timeout=1).read()
        return True
    except Exception:
        return False


def one_round(checkout, round_no):
    for _ in range(100):  # the last round's server may still be stopping
        if not answering():
            break
        time.sleep(0.2)
    else:
        raise SystemExit(f"something else answers on port {args.port}; pick another with --port")
    serve = subprocess.Popen([f"{checkout}/bin/cromwell", "serve", "-m", args.model, "-t", "2", "--port", str(args.port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(600):
            if answering():
                break
            if serve.poll() is not None:
                raise SystemExit(f"{checkout}/bin/cromwell serve -m {args.model} exited ({serve.returncode});"
                                 " run it by hand to see why")
            time.sleep(0.2)
        else:
            raise SystemExit(f"{checkout}/bin/cromwell serve did not answer on port {args.port} in 120 s")
        # A long function with a bug (the last line), as one selection; a round's own numbers, so
        # that no cache holds it.
        lines = ["def table(rows):", '    """Totals of each named row."""', "    out = {}"]
        lines += [f"    out['row{i}'] = sum(r[{i + round_no}] for r in rows if r[{i + round_no}] is not None)"
                  for i in range(60)]
        lines.append("    return out.values(")
        text = "import math\n\n\n" + "\n".join(lines) + "\n"
        first, last = 4, 3 + len(lines)
        if args.file:
            with open(args.file) as f:
                text = f.read()
            first, last = 1, max(1, len(text.splitlines()))
        stamps, failed = [], []
        def stream():
            numbers = ", ".join(str(n) for n in range(round_no, round_no + 40))
            try:
                with post("/v1/completions", {"prompt": f"numbers = [{numbers},", "max_tokens": 4000,
                                              "temperature": 0, "stream": True}) as r:
                    for line in r:
                        if line.startswith(b"data: {"):
                            stamps.append(time.monotonic())
            except Exception as e:
                failed.append(e)
        if not args.alone:
            threading.Thread(target=stream, daemon=True).start()
        started = time.monotonic()
        while len(stamps) < 20 and not args.alone:
            if failed or time.monotonic() - started > 120:
                raise SystemExit(f"the stream did not start: {failed}")
            time.sleep(0.05)
        e0 = time.monotonic()
        out = json.loads(post("/v1/cromwell/edit", {"path": "table.py", "text": text, "instruction": args.instruction,
                                                   "range": {"start_line": first, "end_line": last}}).read())
        e1 = time.monotonic()
        # A stall still open when the edit returns ends at the stream's next token.
        while stamps and stamps[-1] < e1 and not failed and time.monotonic() - e1 < 30:
            time.sleep(0.01)
        seen = list(stamps)
        gaps = [b - a for a, b in zip(seen, seen[1:]) if b > e0 and a < e1]
        return {"checkout": checkout, "round": round_no, "edit_s": round(e1 - e0, 2),
                "stream_tokens_during_edit": sum(1 for s in seen if e0 <= s <= e1),
                "stream_outlived_edit": bool(seen) and seen[-1] > e1, "stream_failed": str(failed[0]) if failed else None,
                "largest_gap_s": round(max(gaps), 2) if gaps else None,
                "gaps_over_1s": sum(1 for g in gaps if g > 1.0),
                "edit_changed_text": out.get("text") != text, "refusal": out.get("refusal")}
    finally:
        try:
            os.killpg(serve.pid, signal.SIGTERM)
            serve.wait(timeout=30)
        except ProcessLookupError:
            pass  # it had stopped already
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)


for r in range(1, args.rounds + 1):
    for checkout in ([args.base] if args.base else []) + [here]:
        print(json.dumps(one_round(checkout, r)), flush=True)
