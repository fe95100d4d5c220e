"""tools.bench's arithmetic: percentiles, ratios, targets, the block plan and the JSON line (no timing)."""
import json

import pytest

from tools import bench


def figures(p50, tput, errors=0, p95=None):
    return {"messages": 100, "errors": errors, "p50_ms": p50, "p95_ms": p95 or p50, "throughput": tput}


def test_percentile_nearest_rank():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert bench.percentile(values, 0.5) == 3.0
    assert bench.percentile(values, 0.0) == 1.0
    assert bench.percentile(values, 1.0) == 5.0
    assert bench.percentile(list(range(1, 101)), 0.95) == 95
    assert bench.percentile([7.0], 0.95) == 7.0


def test_summarize_in_milliseconds_and_messages_per_second():
    result = bench.summarize([0.1, 0.2, 0.3, 0.4], errors=1, elapsed=2.0, cpu_seconds={"web": 0.05, "rasa": 0.4})
    assert result["messages"] == 4 and result["errors"] == 1
    assert result["p50_ms"] == 300.0 and result["p95_ms"] == 400.0
    assert result["throughput"] == 2.0
    # CPU per message sent (the error too)
    assert result["cpu_ms_per_message"] == {"web": 10.0, "rasa": 80.0}


def test_summarize_without_answers():
    result = bench.summarize([], errors=3, elapsed=1.0)
    assert result == {"messages": 0, "errors": 3, "p50_ms": None, "p95_ms": None, "throughput": None}


def test_compare_overhead_and_throughput_ratio():
    assert bench.compare(figures(110.0, 9.0), figures(100.0, 10.0)) == {"p50_overhead_pct": 10.0, "throughput_ratio": 0.9}
    assert bench.compare(figures(95.0, 10.0), figures(100.0, 10.0))["p50_overhead_pct"] == -5.0
    assert bench.compare(figures(None, None), figures(100.0, 10.0)) == {"p50_overhead_pct": None, "throughput_ratio": None}


def levels(c1=(105.0, 10.0, 100.0, 10.0), c8=(700.0, 9.0, 650.0, 10.0)):
    return [bench.level_figures(1, figures(c1[0], c1[1]), figures(c1[2], c1[3])),
            bench.level_figures(8, figures(c8[0], c8[1]), figures(c8[2], c8[3]))]


def test_targets_met_and_missed():
    rss = bench.memory_figures({"web": 90.0, "rasa": 650.0, "actions": 240.0})
    assert rss["total"] == 980.0
    result = bench.targets(levels(), rss)
    assert result == {"p50_overhead_c1": True, "p50_overhead_c8": True, "throughput_ratio_c8": True,
                      "memory": True, "all": True}
    result = bench.targets(levels(c1=(111.0, 10.0, 100.0, 10.0), c8=(700.0, 7.9, 650.0, 10.0)),
                           bench.memory_figures({"web": 100.0, "rasa": 1900.0, "actions": 100.0}))
    assert result["p50_overhead_c1"] is False and result["throughput_ratio_c8"] is False
    assert result["memory"] is False and result["all"] is False


def test_targets_boundaries_are_met():
    result = bench.targets(levels(c1=(110.0, 8.0, 100.0, 10.0), c8=(650.0, 8.0, 650.0, 10.0)),
                           {"total": bench.MEMORY_MAX_MB})
    assert result["p50_overhead_c1"] and result["throughput_ratio_c8"] and result["memory"]


def test_a_level_with_errors_misses_its_targets():
    broken = levels()
    broken[1]["stack"]["errors"] = 2
    result = bench.targets(broken, {"total": 900.0})
    assert result["p50_overhead_c8"] is False and result["throughput_ratio_c8"] is False
    assert result["p50_overhead_c1"] is True and result["all"] is False


def test_targets_not_measured():
    only_one = [bench.level_figures(1, figures(105.0, 10.0), figures(100.0, 10.0))]
    result = bench.targets(only_one, {})
    assert result["throughput_ratio_c8"] is None and result["memory"] is None
    assert result["all"] is True  # what was measured was met
    assert bench.targets([], {})["all"] is None


def test_block_plan_alternates_and_pairs_the_questions():
    plan = bench.block_plan(160, 1, 40)
    assert [path for path, *_ in plan] == ["stack", "rasa", "rasa", "stack", "stack", "rasa", "rasa", "stack"]
    for path in bench.PATHS:
        blocks = [(number, start, count) for p, number, start, count in plan if p == path]
        assert blocks == [(0, 0, 40), (1, 40, 40), (2, 80, 40), (3, 120, 40)]


def test_block_plan_default_blocks_are_twice_the_concurrency():
    assert {count for *_, count in bench.block_plan(160, 1)} == {bench.MIN_BLOCK}
    assert len(bench.block_plan(160, 1)) == 2 * 160 // bench.MIN_BLOCK
    assert {count for *_, count in bench.block_plan(160, 8)} == {16}
    plan = bench.block_plan(160, 32)  # 2 rounds of 80: no block smaller than twice the concurrency
    assert [(p, count) for p, _, _, count in plan] == [("stack", 80), ("rasa", 80), ("rasa", 80), ("stack", 80)]
    plan = bench.block_plan(10, 32)
    assert [(p, count) for p, _, _, count in plan] == [("stack", 10), ("rasa", 10)]
    plan = bench.block_plan(10, 1, 3)  # uneven split: every message is sent, once
    stack_blocks = [(start, count) for p, _, start, count in plan if p == "stack"]
    assert sum(count for _, count in stack_blocks) == 10 and stack_blocks[-1][0] + stack_blocks[-1][1] == 10


@pytest.mark.parametrize("share, expected", [(0.0, 0), (0.2, 20), (0.25, 25), (1.0, 100)])
def test_logged_in_conversations_spread_evenly(share, expected):
    chosen = [n for n in range(100) if bench.logged_in_conversation(n, share)]
    assert len(chosen) == expected
    if 0 < share < 1:
        assert max(b - a for a, b in zip(chosen, chosen[1:])) <= round(1 / share)


def test_handoff_is_recognised_on_both_paths():
    assert bench.is_handoff("stack", {"messages": [], "handoff": {"state": "waiting"}})
    assert not bench.is_handoff("stack", {"messages": [{"text": "x"}]})
    assert bench.is_handoff("rasa", [{"text": "Een collega"}, {"custom": {"source": {"kind": "handoff"}}}])
    assert not bench.is_handoff("rasa", [{"text": "x"}, {"custom": {"source": {"kind": "faq", "id": "1"}}}])
    assert not bench.is_handoff("rasa", None)


def test_report_is_one_json_line_with_every_figure():
    rss = bench.memory_figures({"web": 90.0, "rasa": 650.0, "actions": 240.0})
    result = bench.report(levels(), rss, cores=2, load={"before": [0.5, 0.6, 0.7], "after": [1.0, 0.8, 0.7]},
                          settings={"messages": 160}, date="2026-11-22")
    line = json.dumps(result)
    assert "\n" not in line
    decoded = json.loads(line)
    assert decoded["cores"] == 2 and decoded["rss_mb"] == {"web": 90.0, "rasa": 650.0, "actions": 240.0, "total": 980.0}
    first = decoded["levels"][0]
    assert first["concurrency"] == 1 and first["p50_overhead_pct"] == 5.0 and first["throughput_ratio"] == 1.0
    assert set(first["stack"]) >= {"p50_ms", "p95_ms", "throughput", "errors"} and set(first["rasa"]) == set(first["stack"])
    assert decoded["targets"]["all"] is True


def test_table_says_missed():
    result = bench.report(levels(c1=(120.0, 10.0, 100.0, 10.0)), {"web": 1, "rasa": 1, "actions": 1, "total": 3},
                          cores=2, load={}, settings={}, date="2026-11-22")
    text = bench.table(result)
    assert "MISSED: p50_overhead_c1" in text and "+20.0 %" in text
    result = bench.report(levels(), {"web": 1, "rasa": 1, "actions": 1, "total": 3}, cores=2, load={}, settings={},
                          date="2026-11-22")
    assert "All targets met." in bench.table(result) and "MISSED" not in bench.table(result)
