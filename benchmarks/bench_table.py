#!/usr/bin/env python3
"""Markdown tables for docs/PERFORMANCE.md from one run of benchmarks/engine-bench.sh.

Inputs (all from the same run, so that the numbers compare):
  --bandwidth FILE  output of BandwidthProbe ("N thread(s): anonymous A GB/s, mapped file M GB/s")
  --cromwell FILE   one `cromwell bench --json` object per line
  --llama FILE      optional: one `llama-bench -o json` array per line (same files, same threads)
  --llama-avx2 FILE optional: the same from a llama.cpp built for AVX2 only, compared with
                    Cromwell's 256-bit configurations (the mission's AVX2 target)

Prints one row per Cromwell measurement with tg as a fraction of the mapped-file bound
(mapped bandwidth at that thread count / model bytes), then, when llama-bench ran, one row per
llama.cpp measurement with the ratio of Cromwell's best configuration at the same thread count.
Standard library only: it runs wherever the engine does.
"""

import argparse
import json
import re
import sys
from pathlib import Path

_BANDWIDTH = re.compile(
    r"(\d+) thread\(s\): anonymous ([\d.]+) GB/s, mapped file ([\d.]+) GB/s"
)


def parse_bandwidth(text):
    """{threads: mapped-file GB/s} from BandwidthProbe's output."""
    return {int(m.group(1)): float(m.group(3)) for m in _BANDWIDTH.finditer(text)}


def _measure(result, prefix):
    """The {"mean", "stddev"} entry whose key starts with prefix ("pp512", "tg128")."""
    for key, value in result.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            return key, value
    raise ValueError(f"no {prefix}N measurement in {sorted(result)}")


def tg_bound_fraction(result, mapped_gbps):
    """tg as a fraction of mapped bandwidth / model bytes, or None without a bandwidth."""
    if mapped_gbps is None:
        return None
    _, tg = _measure(result, "tg")
    bound = mapped_gbps * 1e9 / result["modelBytes"]
    return tg["mean"] / bound


def cromwell_rows(results, bandwidth):
    pp_key, _ = _measure(results[0], "pp")
    tg_key, _ = _measure(results[0], "tg")
    lines = [
        f"| model | bytes | threads | vector bits | load | {pp_key} tok/s | {tg_key} tok/s "
        "| tg / bound |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        _, pp = _measure(r, "pp")
        _, tg = _measure(r, "tg")
        fraction = tg_bound_fraction(r, bandwidth.get(r["threads"]))
        share = "n/a" if fraction is None else f"{fraction:.0%}"
        lines.append(
            f"| {Path(r['model']).name} | {r['modelBytes']:,} | {r['threads']} | "
            f"{r['vectorBits']} | {r['load']} | {pp['mean']:.1f} ± {pp['stddev']:.1f} | "
            f"{tg['mean']:.1f} ± {tg['stddev']:.1f} | {share} |"
        )
    return lines


def llama_measurements(records):
    """{(file name, threads): {"pp": record, "tg": record}} from llama-bench JSON records."""
    out = {}
    for rec in records:
        key = (Path(rec["model_filename"]).name, int(rec["n_threads"]))
        kind = "pp" if rec.get("n_gen", 0) == 0 else "tg"
        out.setdefault(key, {})[kind] = rec
    return out


def best_cromwell(results, name, threads, kind, bits=None):
    """Cromwell's fastest configuration for one model, thread count and measurement kind (of one
    vector width when bits is given)."""
    same = [
        r
        for r in results
        if Path(r["model"]).name == name
        and r["threads"] == threads
        and (bits is None or r["vectorBits"] == bits)
    ]
    if not same:
        return None
    return max(same, key=lambda r: _measure(r, kind)[1]["mean"])


def llama_rows(results, records, bits=None, label="llama.cpp"):
    lines = [
        f"| model | threads | {label} pp tok/s | {label} tg tok/s "
        f"| Cromwell ÷ {label} pp | Cromwell ÷ {label} tg |",
        "|---|---|---|---|---|---|",
    ]
    for (name, threads), kinds in sorted(llama_measurements(records).items()):
        cells = []
        ratios = []
        for kind in ("pp", "tg"):
            rec = kinds.get(kind)
            if rec is None:
                cells.append("n/a")
                ratios.append("n/a")
                continue
            cells.append(f"{rec['avg_ts']:.1f} ± {rec['stddev_ts']:.1f}")
            best = best_cromwell(results, name, threads, kind, bits)
            if best is None:
                ratios.append("n/a")
            else:
                ours = _measure(best, kind)[1]["mean"]
                ratios.append(
                    f"{ours / rec['avg_ts']:.2f} ({best['vectorBits']}-bit, {best['load']})"
                )
        lines.append(f"| {name} | {threads} | {cells[0]} | {cells[1]} | {ratios[0]} | {ratios[1]} |")
    return lines


def _json_lines(path):
    items = []
    for line in Path(path).read_text().splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bandwidth", required=True, help="BandwidthProbe output")
    parser.add_argument("--cromwell", required=True, help="cromwell bench --json, one per line")
    parser.add_argument("--llama", help="llama-bench -o json output, one array per line")
    parser.add_argument(
        "--llama-avx2", help="the same from an AVX2-only llama.cpp build (vs Cromwell at 256 bits)"
    )
    args = parser.parse_args(argv)
    results = _json_lines(args.cromwell)
    if not results:
        print(f"bench_table: {args.cromwell} holds no measurements", file=sys.stderr)
        return 1
    bandwidth = parse_bandwidth(Path(args.bandwidth).read_text())
    print("\n".join(cromwell_rows(results, bandwidth)))
    if args.llama:
        records = [rec for array in _json_lines(args.llama) for rec in array]
        if records:
            print()
            print("\n".join(llama_rows(results, records)))
    if args.llama_avx2:
        records = [rec for array in _json_lines(args.llama_avx2) for rec in array]
        if records:
            print()
            print("\n".join(llama_rows(results, records, 256, "llama.cpp AVX2")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
