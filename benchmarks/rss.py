"""Worker memory: gunicorn worker pids, their peak RSS, and its growth during a scenario.

Linux only (``/proc``). The peak is the kernel's high-water mark ``VmHWM``,
reset before each scenario by writing ``5`` to ``/proc/<pid>/clear_refs``;
where that is not allowed, ``VmRSS`` polled every few milliseconds stands in.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

KB = 1024
MB = 1024 * 1024


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: the ppid follows the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of ``pid`` in bytes (empty if it is gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * KB
    except OSError:
        return {}
    return values


def reset_peak(pid: int) -> bool:
    """Reset ``VmHWM`` to the current RSS; False where the kernel or permissions refuse."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class PeakSample:
    """Peak memory of the workers over one scenario."""

    baseline: dict[int, int] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)
    method: str = "VmHWM"

    @property
    def peak_bytes(self) -> int:
        """The largest worker's peak RSS."""
        return max(self.peak.values(), default=0)

    @property
    def growth_bytes(self) -> int:
        """The largest rise of a worker's RSS above where it stood before the scenario."""
        return max((self.peak[pid] - self.baseline.get(pid, self.peak[pid]) for pid in self.peak), default=0)


class PeakMonitor:
    """Measures worker peak RSS across a block: ``with PeakMonitor(pids) as monitor: ...``."""

    def __init__(self, pids: list[int], interval: float = 0.005) -> None:
        self.pids, self.interval = pids, interval
        self.sample = PeakSample()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._polled: dict[int, int] = {}

    def __enter__(self) -> PeakMonitor:
        reset = all([reset_peak(pid) for pid in self.pids])
        self.sample.method = "VmHWM" if reset else "polled VmRSS"
        for pid in self.pids:
            self.sample.baseline[pid] = memory(pid).get("VmRSS", 0)
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in self.pids:
                rss = memory(pid).get("VmRSS", 0)
                self._polled[pid] = max(self._polled.get(pid, 0), rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for pid in self.pids:
            values = memory(pid)
            hwm = values.get("VmHWM", 0) if self.sample.method == "VmHWM" else 0
            self.sample.peak[pid] = max(hwm, self._polled.get(pid, 0), values.get("VmRSS", 0))
