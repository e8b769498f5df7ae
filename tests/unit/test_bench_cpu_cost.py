"""make bench's measure of the CPU that Playwright's Chromium uses (benchmarks.cpu_cost)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from benchmarks.cpu_cost import PLAYWRIGHT_PROFILE, chromium_cpu_seconds

# Burns `argv[1]` seconds of CPU, says so, then stays alive (a finished process leaves /proc).
BURNER = """import sys, time
end = time.process_time() + float(sys.argv[1])
while time.process_time() < end:
    pass
print("burnt", flush=True)
time.sleep(30)
"""


def burner(seconds: float, *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", BURNER, str(seconds), *arguments], stdout=subprocess.PIPE, text=True
    )


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_counts_the_cpu_of_marked_processes_only() -> None:
    # Every Chromium process Playwright starts carries its profile folder in its arguments;
    # a unique marker here keeps any other browser on the machine out of the count.
    marker = f"{PLAYWRIGHT_PROFILE.decode()}-{uuid.uuid4().hex}"
    before = chromium_cpu_seconds(marker.encode())
    assert before == 0.0
    marked = burner(0.5, f"--user-data-dir={marker}")
    unmarked = burner(0.5)
    try:
        assert marked.stdout is not None and unmarked.stdout is not None
        assert marked.stdout.readline().strip() == "burnt"
        assert unmarked.stdout.readline().strip() == "burnt"
        used = chromium_cpu_seconds(marker.encode())
    finally:
        for process in (marked, unmarked):
            process.kill()
            process.wait()
    assert used is not None
    assert 0.45 <= used < 0.9  # the marked process's 0.5 s (plus its start-up), not both
