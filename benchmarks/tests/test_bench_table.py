"""Tests of benchmarks/bench_table.py: bound fractions, llama.cpp ratios, the CLI."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench_table.py"
_spec = importlib.util.spec_from_file_location("bench_table", SCRIPT)
bench_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_table)

BANDWIDTH = """1 thread(s): anonymous 14.3 GB/s, mapped file 13.3 GB/s
2 thread(s): anonymous 20.5 GB/s, mapped file 25.8 GB/s
"""


def cromwell(threads, bits, load, pp, tg, model="/m/q8.gguf", size=500_000_000):
    return {
        "model": model,
        "modelBytes": size,
        "threads": threads,
        "vectorBits": bits,
        "load": load,
        "pp512": {"mean": pp, "stddev": 1.0},
        "tg128": {"mean": tg, "stddev": 0.5},
    }


def llama(threads, n_prompt, n_gen, ts, model="models/q8.gguf"):
    return {
        "model_filename": model,
        "n_threads": threads,
        "n_prompt": n_prompt,
        "n_gen": n_gen,
        "avg_ts": ts,
        "stddev_ts": 0.25,
    }


def test_parse_bandwidth_reads_mapped_file_numbers_per_thread_count():
    assert bench_table.parse_bandwidth(BANDWIDTH) == {1: 13.3, 2: 25.8}


def test_tg_fraction_is_tg_over_mapped_bandwidth_per_model_byte():
    result = cromwell(2, 512, "copy", 150.0, 30.0)
    # bound = 25.8e9 / 5e8 = 51.6 tok/s; 30 / 51.6 = 0.581
    assert bench_table.tg_bound_fraction(result, 25.8) == pytest.approx(30.0 / 51.6)
    assert bench_table.tg_bound_fraction(result, None) is None


def test_cromwell_rows_show_each_configuration_with_its_bound_share():
    rows = bench_table.cromwell_rows(
        [cromwell(1, 512, "copy", 85.0, 16.5), cromwell(4, 512, "copy", 200.0, 40.0)],
        {1: 13.3, 2: 25.8},
    )
    assert rows[0].startswith("| model | bytes |") and "pp512" in rows[0] and "tg128" in rows[0]
    assert rows[2] == (
        "| q8.gguf | 500,000,000 | 1 | 512 | copy | 85.0 ± 1.0 | 16.5 ± 0.5 | 62% |"
    )
    assert rows[3].endswith("| n/a |")  # no bandwidth measured at 4 threads


def test_llama_rows_compare_with_the_best_cromwell_configuration_at_the_same_threads():
    results = [
        cromwell(2, 512, "copy", 150.0, 30.0),
        cromwell(2, 256, "mmap", 120.0, 20.0),
        cromwell(1, 512, "copy", 999.0, 999.0),  # other thread count: never compared
    ]
    records = [llama(2, 512, 0, 100.0), llama(2, 0, 128, 40.0)]
    rows = bench_table.llama_rows(results, records)
    assert rows[2] == (
        "| q8.gguf | 2 | 100.0 ± 0.2 | 40.0 ± 0.2 | 1.50 (512-bit, copy) | 0.75 (512-bit, copy) |"
    )


def test_avx2_llama_rows_compare_only_with_cromwell_at_256_bits():
    results = [cromwell(2, 512, "copy", 150.0, 30.0), cromwell(2, 256, "copy", 120.0, 20.0)]
    records = [llama(2, 512, 0, 100.0), llama(2, 0, 128, 40.0)]
    rows = bench_table.llama_rows(results, records, 256, "llama.cpp AVX2")
    assert rows[0].startswith("| model | threads | llama.cpp AVX2 pp tok/s |")
    assert rows[2] == (
        "| q8.gguf | 2 | 100.0 ± 0.2 | 40.0 ± 0.2 | 1.20 (256-bit, copy) | 0.50 (256-bit, copy) |"
    )


def test_llama_rows_say_na_for_a_model_cromwell_did_not_run():
    rows = bench_table.llama_rows(
        [cromwell(2, 512, "copy", 150.0, 30.0)], [llama(2, 512, 0, 100.0, "other.gguf")]
    )
    assert rows[2] == "| other.gguf | 2 | 100.0 ± 0.2 | n/a | n/a | n/a |"


def test_cli_prints_both_tables(tmp_path):
    (tmp_path / "bw.txt").write_text(BANDWIDTH)
    (tmp_path / "c.jsonl").write_text(json.dumps(cromwell(2, 512, "copy", 150.0, 30.0)) + "\n")
    (tmp_path / "l.jsonl").write_text(
        json.dumps([llama(2, 512, 0, 100.0), llama(2, 0, 128, 40.0)]) + "\n"
    )
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--bandwidth", str(tmp_path / "bw.txt"),
         "--cromwell", str(tmp_path / "c.jsonl"), "--llama", str(tmp_path / "l.jsonl")],
        check=True, capture_output=True, text=True,
    ).stdout
    assert "| q8.gguf | 500,000,000 | 2 | 512 | copy | 150.0 ± 1.0 | 30.0 ± 0.5 | 58% |" in out
    assert "| q8.gguf | 2 | 100.0 ± 0.2 | 40.0 ± 0.2 | 1.50 (512-bit, copy) |" in out


def test_cli_refuses_an_empty_run(tmp_path):
    (tmp_path / "bw.txt").write_text(BANDWIDTH)
    (tmp_path / "c.jsonl").write_text("")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--bandwidth", str(tmp_path / "bw.txt"),
         "--cromwell", str(tmp_path / "c.jsonl")],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "holds no measurements" in done.stderr
