"""Recording steps: click-to-step-saved against a plain screenshot, the hook's own time, idle CPU, memory.

    python benchmarks/steps.py [--steps N] [--idle SECONDS]

Starts its own Xvfb (1920×1080) showing typical web-app content (benchmarks/webapp_screen.py)
and records in this process what the app records: the X RECORD hooks
(``capture_app.core.evidence.step_hooks.XRecordHooks``), the recorder's worker (window under the
click, the monitor's picture with the click marked, PNG, written into the draft's attachments)
and the draft saved with the new step (``DraftStore.save``, as the wizard does for every step
with a picture). xdotool clicks; each click waits for its step to be saved.

* click-to-step-saved: from the hook's callback receiving the click to the draft's save
  returning, p50 and p95, against a plain full-screen capture + encode of the same screen
  (``screenshot.grab("desktop")`` + ``png.encode``), one of which runs after each step, in the
  same process. Target: p95 ≤ 1.3× the plain capture's p95.
* the hook callback's own time (parsing the X event and handing it to the recorder's queue),
  p99 over every callback (each click is followed by three keys typed: press and release). Target: ≤ 1 ms.
* CPU while recording and idle: the CPU time over ``--idle`` seconds with the hooks listening
  and no input, as a share of one core — of this process, and of the app itself recording from
  its wizard (tests/ui/steps_child.py: the control window with its clock, read from
  /proc/PID/stat). Target: ≤ 1 % each.
* resident memory growth over the steps (VmRSS before the first and after the last, after a
  garbage collection). Target: ≤ 20 MB for 100 steps.

Ends with one JSON line; exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TARGET_LATENCY_RATIO = 1.3
TARGET_HOOK_MS = 1.0
TARGET_IDLE_CPU_PERCENT = 1.0
TARGET_RSS_GROWTH_MB = 20.0
WIDTH, HEIGHT = 1920, 1080


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class Bench:
    def __init__(self, display: str, home: Path, steps: int) -> None:
        from capture_app.core.evidence.step_hooks import XRecordHooks
        from capture_app.core.evidence.step_windows import X11Platform
        from capture_app.core.evidence.steps import StepLimits, StepRecorder
        from capture_app.core.platform.paths import AppPaths
        from capture_app.core.report.drafts import DraftStore
        from capture_app.core.report.model import Report

        self.display = display
        self.store = DraftStore(AppPaths(home / "data", home / "config", home / "org.toml"))
        self.report = Report.new()
        self.store.save(self.report)
        self.clicked: list[float] = []
        self.saved: list[float] = []
        self.step_saved = threading.Event()
        # Every click is its own step (the clicks here are paced by the saves, not by a person);
        # the typing between them makes steps too.
        self.recorder = StepRecorder(self.report.id, X11Platform(display), self.store.store_attachment,
                                     self._on_step, limits=StepLimits(max_steps=10 * steps,
                                                                      min_interval=0.0))
        self.hooks = XRecordHooks(self._click, self.recorder.key, display)
        self.hooks.callback_times = []

    def _click(self, x: int, y: int, button: str, when: float) -> None:
        self.clicked.append(time.perf_counter())
        self.recorder.click(x, y, button, when)

    def _on_step(self, step, item) -> None:
        from capture_app.core.evidence.steps import add_step

        add_step(self.report, step, item)
        if item is not None:  # as the wizard: a step with a picture is saved at once
            self.store.save(self.report)
            self.saved.append(time.perf_counter())
            self.step_saved.set()

    def click(self, x: int, y: int) -> None:
        """A click, then three keys typed (what an agent does between clicks)."""
        self.step_saved.clear()
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True,
                       env=dict(os.environ, DISPLAY=self.display), timeout=30)
        if not self.step_saved.wait(30):
            raise RuntimeError(f"no step for the click at {x},{y}: {self.recorder.errors}")
        subprocess.run(["xdotool", "type", "--delay", "10", "abc"], check=True,
                       env=dict(os.environ, DISPLAY=self.display), timeout=30)


def plain_capture() -> float:
    from capture_app.core.evidence import png
    from capture_app.core.evidence.screenshot import grab

    began = time.perf_counter()
    shot = grab("desktop", session="x11")
    png.encode(shot.width, shot.height, shot.pixels, layout="BGRA")
    return time.perf_counter() - began


def app_idle_cpu(display: str, idle: float, home: Path) -> float:
    """The running app recording from its wizard, no input: its CPU share over ``idle`` seconds."""
    from xdisplay import stop, xcb_env

    commands = home / "commands.txt"
    app = subprocess.Popen([sys.executable, str(ROOT / "tests" / "ui" / "steps_child.py"),
                            str(commands)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, env=xcb_env(display, REPORT_CAPTURE_HOME=str(home / "app")))
    try:
        line = app.stdout.readline()
        if '"recording"' not in line:
            raise RuntimeError(f"the app did not start recording: {line!r}")
        time.sleep(2)  # settled after start-up
        ticks = os.sysconf("SC_CLK_TCK")

        def used() -> float:
            fields = Path(f"/proc/{app.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

        cpu0, wall0 = used(), time.monotonic()
        time.sleep(idle)
        return (used() - cpu0) / (time.monotonic() - wall0) * 100
    finally:
        commands.write_text("quit\n", encoding="utf-8")
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            stop(app)
        app.stdout.close()


def run(display: str, steps: int, idle: float, home: Path) -> dict:
    os.environ["DISPLAY"] = display
    bench = Bench(display, home, steps)
    for _ in range(3):  # warm: imports, encoder, mss
        plain_capture()
    bench.hooks.start()
    bench.recorder.start()
    time.sleep(1)
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    time.sleep(idle)
    idle_cpu = (cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100
    gc.collect()
    rss0 = rss_mb()
    plain: list[float] = []
    for n in range(steps):
        bench.click(200 + (n * 37) % 1500, 150 + (n * 53) % 800)
        plain.append(plain_capture())
    bench.hooks.stop()
    bench.recorder.stop()
    gc.collect()
    growth = rss_mb() - rss0
    latencies = [(s - c) * 1000 for c, s in zip(bench.clicked, bench.saved, strict=True)]
    bench.store.save(bench.report)
    saved = bench.store.load(bench.report.id)
    bench.store.close()
    hook_ms = [t * 1000 for t in bench.hooks.callback_times or []]
    return {
        "steps_saved": sum(1 for s in saved.steps if s.picture),
        "typing_steps": sum(1 for s in saved.steps if s.kind == "typing"),
        "step_p50_ms": statistics.median(latencies), "step_p95_ms": percentile(latencies, 0.95),
        "plain_p50_ms": statistics.median(plain) * 1000, "plain_p95_ms": percentile(plain, 0.95) * 1000,
        "hook_p99_ms": percentile(hook_ms, 0.99), "hook_callbacks": len(hook_ms),
        "idle_cpu_percent": idle_cpu, "rss_growth_mb": growth,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    for tool in ("Xvfb", "xdotool"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool} (python3 dev.py test installs it)")
    from xdisplay import start_xvfb, stop, xcb_env

    server, display = start_xvfb(WIDTH, HEIGHT)
    painter = None
    try:
        painter = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "webapp_screen.py"),
                                    str(WIDTH), str(HEIGHT), "1"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=xcb_env(display))
        assert painter.stdout.readline().strip() == "ready", painter.stderr.read()[-2000:]
        with tempfile.TemporaryDirectory(prefix="steps-bench-") as home:
            figures = run(display, args.steps, args.idle, Path(home))
            figures["app_idle_cpu_percent"] = app_idle_cpu(display, args.idle, Path(home))
    finally:
        stop(painter)
        stop(server)
    figures["step_p95_ratio_vs_plain"] = figures["step_p95_ms"] / figures["plain_p95_ms"]
    figures = {key: round(value, 3) if isinstance(value, float) else value
               for key, value in figures.items()}
    targets = {"step_p95_ratio_vs_plain": f"<= {TARGET_LATENCY_RATIO}",
               "hook_p99_ms": f"<= {TARGET_HOOK_MS}",
               "idle_cpu_percent": f"<= {TARGET_IDLE_CPU_PERCENT}",
               "app_idle_cpu_percent": f"<= {TARGET_IDLE_CPU_PERCENT}",
               "rss_growth_mb": f"<= {TARGET_RSS_GROWTH_MB}",
               "steps_saved": f"== {args.steps}"}
    print(f"Steps recorded on a {WIDTH}×{HEIGHT} Xvfb (web-app content), in this process:")
    print(f"{'':34}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'click → step saved':34}{figures['step_p50_ms']:>10.1f}{figures['step_p95_ms']:>10.1f}")
    print(f"{'plain capture + encode':34}{figures['plain_p50_ms']:>10.1f}{figures['plain_p95_ms']:>10.1f}")
    print(f"p95 ratio {figures['step_p95_ratio_vs_plain']:.2f} (target ≤ {TARGET_LATENCY_RATIO})")
    print(f"hook callback p99 {figures['hook_p99_ms']:.3f} ms over {figures['hook_callbacks']} "
          f"callbacks (target ≤ {TARGET_HOOK_MS} ms)")
    print(f"CPU recording, idle {args.idle:.0f} s: recorder {figures['idle_cpu_percent']:.2f} %, "
          f"the app {figures['app_idle_cpu_percent']:.2f} % of a core "
          f"(target ≤ {TARGET_IDLE_CPU_PERCENT} % each; 10 ms clock ticks)")
    print(f"RSS growth over {figures['steps_saved']} steps: {figures['rss_growth_mb']:.1f} MB "
          f"(target ≤ {TARGET_RSS_GROWTH_MB} MB)")
    met = (figures["step_p95_ratio_vs_plain"] <= TARGET_LATENCY_RATIO
           and figures["hook_p99_ms"] <= TARGET_HOOK_MS
           and figures["idle_cpu_percent"] <= TARGET_IDLE_CPU_PERCENT
           and figures["app_idle_cpu_percent"] <= TARGET_IDLE_CPU_PERCENT
           and figures["rss_growth_mb"] <= TARGET_RSS_GROWTH_MB
           and figures["steps_saved"] == args.steps)
    print(json.dumps({"benchmark": "steps", "figures": figures, "targets": targets, "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
