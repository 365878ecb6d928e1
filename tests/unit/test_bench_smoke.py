"""The in-process benchmarks run (tiny sizes, results to a temporary folder) and their tables render:
a benchmark that no longer matches the code fails here, not on the day numbers are wanted."""

import pytest

import bench.common
from bench import batch_bench, engine_bench, memory_bench


@pytest.fixture(autouse=True)
def results_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.common, "RESULTS_DIR", tmp_path)


def test_engine_bench(monkeypatch):
    monkeypatch.setattr(engine_bench, "CASES", 40)
    monkeypatch.setattr(engine_bench, "ROUNDS", 1)
    result = engine_bench.main()
    assert result["ratio_to_plain_python"]["closeness_engine"] > 0
    assert "plain" in engine_bench.table(result).lower()


def test_memory_bench(monkeypatch):
    monkeypatch.setattr(memory_bench, "EVALUATIONS", 300)
    monkeypatch.setattr(memory_bench, "WARMUP", 100)
    monkeypatch.setattr(memory_bench, "SAMPLE_EVERY", 100)
    result = memory_bench.main()
    assert result["resolver_cache_entries"] > 0 and memory_bench.table(result)


def test_batch_bench():
    result = batch_bench.main(lines=60, rounds=1)
    assert set(result["ratio_to_plain_python"]) == {
        "plain_python_policy",
        "closeness_evaluate",
        "closeness_evaluate_1_job",
        "closeness_evaluate_changes",
    }
    assert result["changes_cost_ratio"] > 0 and result["naive_over_one_job"] > 0
    assert "plain python policy" in batch_bench.table(result)
