"""make bench's long-task windows (benchmarks.browser.boot_long_tasks) and the phase split."""

from __future__ import annotations

from benchmarks.browser import (
    BROWSER_ARGS,
    EAGER_SOURCE_POSITIONS,
    boot_long_tasks,
    longest_rendering,
)
from benchmarks.run import long_task_summary, markdown, targets

# [start, duration] in ms, as the page's PerformanceObserver records them.
TASKS = [[100.0, 60.0], [900.0, 230.0], [1700.0, 80.0], [5000.0, 90.0]]


def test_window_counts_tasks_by_their_start() -> None:
    assert boot_long_tasks(TASKS, until_ms=4000) == (3, 230)
    assert boot_long_tasks(TASKS, until_ms=1500) == (2, 230)  # before the boot message
    assert boot_long_tasks(TASKS, until_ms=4000, since_ms=1500) == (1, 80)  # after it
    assert boot_long_tasks(TASKS, until_ms=4000, since_ms=4000) == (0, 0)
    assert boot_long_tasks(None, until_ms=4000) == (-1, -1.0)  # no Long Tasks API


def run(before: float, booting: float) -> dict:
    return {
        "long_tasks": 2,
        "longest_task_ms": max(before, booting),
        "longest_before_boot_ms": before,
        "longest_while_booting_ms": booting,
    }


def test_summary_keeps_both_phases_per_run() -> None:
    summary = long_task_summary([run(230, 0), run(150, 70)])
    assert summary["longest_task_runs_ms"] == [230, 150]
    assert summary["longest_before_boot_runs_ms"] == [230, 150]
    assert summary["longest_while_booting_runs_ms"] == [0, 70]
    # Runs without a boot mark (the bare Pyodide page) get no phase split.
    bare = long_task_summary([{"long_tasks": 0, "longest_task_ms": 0}])
    assert "longest_while_booting_runs_ms" not in bare


def row(phases: list[tuple[float, float]]) -> dict:
    return {
        "profile": "phone",
        "cache": "cold",
        "page": "grade",
        **long_task_summary([run(*phase) for phase in phases]),
    }


def test_report_says_which_phase_the_long_tasks_fall_in() -> None:
    quiet = {"direct": [row([(230, 0), (150, 0)])]}
    (line,) = [t for t in targets(quiet) if t.startswith("of these")]
    assert "none over 50 ms in any run" in line
    busy = {"direct": [row([(230, 0), (150, 210)])]}
    (line,) = [t for t in targets(busy) if t.startswith("of these")]
    assert "longest 210 ms" in line


def test_report_sets_the_bench_browser_beside_v8_defaults() -> None:
    """The harness's own cost: both browsers' long tasks side by side, and in the targets."""
    bench_row = {**row([(120, 0), (140, 0)]), "first_result_ms": 4800, "vs_floor": 1.0}
    bench_row.update(bytes=1, encodings={}, snapshot_restored=["True"])
    bench_row.update(longest_rendering_runs_ms=[300, 280])
    report = {
        "date": "2026-12-01",
        "runs": 2,
        "machine": {
            "cpu": "cpu",
            "cores": 2,
            "memory_gb": 1,
            "os": "os",
            "chromium": "1",
            "chromium_args": BROWSER_ARGS,
            "pyodide": "1",
            "load_average": (0.0, 0.0, 0.0),
            "pytest_processes": 0,
        },
        "pytest_processes_at_end": 0,
        "direct": [bench_row],
        "alone": [{"page": "grade", "longest_task_ms_max": 100, "longest_task_runs_ms": [90, 100]}],
        "defaults": [
            {
                "page": "grade",
                "first_result_ms": 4900,
                "longest_task_ms_max": 230,
                "longest_task_runs_ms": [230, 180],
                "alone_longest_task_runs_ms": [150, 160],
            }
        ],
    }
    report["targets"] = targets(report)
    (line,) = [t for t in report["targets"] if "V8's defaults" in t]
    assert "longest task 230 ms" in line
    text = markdown(report)
    assert EAGER_SOURCE_POSITIONS in text
    assert "| grade | 4,800 / 4,900 | [120, 140] | [230, 180] | [90, 100] | [150, 160] |" in text
    assert "| phone | cold | grade | [300, 280] |" in text  # rendering
    # The bench's verdict is the bench browser's: 140 ms, met.
    (verdict,) = [t for t in report["targets"] if t.startswith("longest main-thread task")]
    assert "140 ms (met" in verdict


def test_longest_rendering_until_the_first_result() -> None:
    # [start, rendering part], as the page's long-animation-frame observer records them.
    frames = [[100.0, 20.0], [700.0, 240.0], [900.0, 30.0], [4000.0, 400.0]]
    assert longest_rendering(frames, until_ms=3000) == 240
    assert longest_rendering(frames, until_ms=500) == 20
    assert longest_rendering(frames, until_ms=50) == 0
    assert longest_rendering(None, until_ms=3000) is None  # no Long Animation Frames API
    runs = [{**run(150, 0), "longest_rendering_ms": 240}, {**run(90, 0), "longest_rendering_ms": 0}]
    assert long_task_summary(runs)["longest_rendering_runs_ms"] == [240, 0]
