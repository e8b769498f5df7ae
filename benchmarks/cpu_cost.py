"""What the phone profile's CPU throttling costs the bench machine itself (Linux /proc).

Chromium slows the page's main thread (Emulation.setCPUThrottlingRate) by keeping it busy in
the pauses, not by letting it sleep: an idle throttled page keeps a core busy. On a machine
with few cores that core is missing for everything else that runs during a page load (the
engine's worker, the network service, the browser process, the harness), so the page's own
tasks wait for a core longer than they would on a phone, whose cores carry no such load.
make bench measures it on every run and prints it with the machine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from playwright.sync_api import Browser

from benchmarks.browser import Profile, page_without_engine

PROC = Path("/proc")
PLAYWRIGHT_PROFILE = b"playwright_chromiumdev_profile"  # in every Chromium process's arguments


def chromium_cpu_seconds(marker: bytes = PLAYWRIGHT_PROFILE) -> float | None:
    """CPU time (user + system) used so far by the processes of Playwright's Chromium (those
    with `marker` in their arguments); None where /proc is missing (not Linux)."""
    if not PROC.is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "cmdline").read_bytes():
                continue
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()  # fields 3.. of proc(5); utime, stime = 14, 15
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def idle_page_cores(
    browser: Browser, profile: Profile, url: str, seconds: float = 2.0
) -> float | None:
    """Cores Chromium keeps busy while `url` sits idle under `profile` (its CPU time over
    `seconds` of wall time). The engine's worker script answers 404, so no engine work runs."""
    with page_without_engine(browser, profile, url):
        time.sleep(1.0)  # let the last frames and timers settle
        before = chromium_cpu_seconds()
        started = time.monotonic()
        time.sleep(seconds)
        after = chromium_cpu_seconds()
        elapsed = time.monotonic() - started
    if before is None or after is None:
        return None
    return round((after - before) / elapsed, 2)
