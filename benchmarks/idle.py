"""All-day footprint: the app idling in the tray, against a bare tray process in the same run.

    python benchmarks/idle.py [--duration SECONDS] [--settle SECONDS]

How it measures: its own X server (Xvfb) with openbox and a tray host (trayer). The app's data
folder is one an earlier start has used (as on an agent's computer after the first day: its
caches written, e.g. the year's holidays); that first start ever is measured too, for
reference, not judged. Then the app is started as at login (``capture-app --background``) and,
at the same moment, a bare PySide6 process with one QSystemTrayIcon and a menu (the least a
tray app can be). Both run side by side the whole time, so load on the machine hits both alike.
Once both icons are docked and the start-up work is over (``--settle``, default 8 s), each
process is read from /proc at the start and the end of ``--duration`` seconds (default 120) of
idling:

* RSS: ``VmRSS`` from /proc/PID/status at the end;
* CPU time: user + system clock ticks from /proc/PID/stat (all threads), per minute;
* wake-ups: ``voluntary_ctxt_switches`` of every thread in /proc/PID/task/*/status (a thread
  that sleeps and is woken counts one), read once a second and added up per thread (so a thread
  that ends loses at most its last second), per second; listed per thread.

Targets: RSS ≤ 1.3× the bare tray process, ≤ 1 CPU tick a minute, ≤ 0.2 wake-ups a second.
Exit status 1 when a target is missed.

Then, for reference (printed, not judged: the targets are for the start of the day), the app
after the agent's first report: "Problem melden" as the tray hands it over (a line on the
app's single-instance socket), the wizard's window mapped, closed two seconds later with
Alt+F4 (xdotool), and ``--after-report`` seconds (default 15) of idling again: its RSS then,
and the same read in the moments before the wizard closed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desktop import Desktop, stop
from report_latency import app_socket_path, send_line
from startup import BARE_TRAY

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"rss_ratio_max": 1.3, "cpu_ticks_per_minute_max": 1.0, "wakeups_per_second_max": 0.2}


def snapshot(pid: int) -> dict:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        values = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        threads[task.name] = (values["Name"].strip(), int(values["voluntary_ctxt_switches"]))
    return {"ticks": int(fields[11]) + int(fields[12]), "rss_kb": rss_kb, "threads": threads}


class Wakeups:
    """Voluntary context switches per thread, added up between samples (a sample a second, so
    a thread that ends loses at most its last second)."""

    def __init__(self, first: dict) -> None:
        self.last = dict(first["threads"])
        self.by_thread: dict[str, int] = {}

    def add(self, sample: dict) -> None:
        for tid, (name, count) in sample["threads"].items():
            before = self.last.get(tid, (name, 0))[1]
            key = f"{name} ({tid})"
            self.by_thread[key] = self.by_thread.get(key, 0) + count - before
            self.last[tid] = (name, count)

    def total(self) -> int:
        return sum(self.by_thread.values())


def first_report(desktop: Desktop, env: dict, pid: int, home: str, settle: float) -> tuple[int, int]:
    """RSS with the first report's wizard open, and ``settle`` seconds after it closed (KiB)."""
    socket_path = app_socket_path(home, env)
    trigger = time.monotonic()
    send_line(socket_path, json.dumps({"command": "report"}).encode() + b"\n")
    desktop.watch.wait("map", after=trigger)
    time.sleep(2.0)  # the screenshot stored, the agent looks at the first page
    with_wizard = snapshot(pid)["rss_kb"]

    def wizards_on_screen() -> list[str]:
        return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Problem melden"],
                              env=env, capture_output=True, text=True, timeout=30).stdout.split()

    found = wizards_on_screen()
    if not found:
        raise RuntimeError("the wizard's window was not found")
    subprocess.run(["xdotool", "windowactivate", "--sync", found[0], "key", "--clearmodifiers",
                    "alt+F4"], env=env, check=True, timeout=30)
    deadline = time.monotonic() + 10
    while wizards_on_screen():
        if time.monotonic() > deadline:
            raise RuntimeError("the wizard did not close on Alt+F4")
        time.sleep(0.2)
    time.sleep(settle)
    return with_wizard, snapshot(pid)["rss_kb"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=120.0,
                        help="seconds of idling measured (default 120; shorter only for development)")
    parser.add_argument("--settle", type=float, default=8.0, help="seconds after start before measuring")
    parser.add_argument("--after-report", type=float, default=15.0,
                        help="seconds after the first report's wizard closed before reading again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, Desktop(1920, 1080) as desktop:
        env = desktop.env(REPORT_CAPTURE_HOME=home)
        # The first start ever on this computer: fills the caches; its footprint for reference.
        first = subprocess.Popen([sys.executable, "-m", "capture_app", "--background"], env=env,
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(args.settle)
        first_rss_kb = snapshot(first.pid)["rss_kb"]
        first.terminate()
        first.wait(10)
        started = time.monotonic()
        processes = {
            "app": subprocess.Popen([sys.executable, "-m", "capture_app", "--background"], env=env,
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
            "bare_tray": subprocess.Popen([sys.executable, "-c", BARE_TRAY], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
        }
        try:
            first, _ = desktop.watch.wait("tray", after=started)  # one icon docked …
            desktop.watch.wait("tray", after=first + 1e-6)  # … and the other
            time.sleep(max(0.0, args.settle - (time.monotonic() - started)))
            for name, process in processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} ended: {process.stderr.read().decode()[-2000:]}")
            before = {name: snapshot(p.pid) for name, p in processes.items()}
            wakeups = {name: Wakeups(sample) for name, sample in before.items()}
            began = time.monotonic()
            while time.monotonic() - began < args.duration:
                time.sleep(min(1.0, max(0.0, args.duration - (time.monotonic() - began))))
                after = {name: snapshot(p.pid) for name, p in processes.items()}
                for name, sample in after.items():
                    wakeups[name].add(sample)
            seconds = time.monotonic() - began
            with_wizard_kb, after_report_kb = first_report(desktop, env, processes["app"].pid, home,
                                                           args.after_report)
        finally:
            for process in processes.values():
                stop(process)
                process.stderr.close()
    figures: dict[str, float] = {"duration_s": round(seconds, 1), "settle_s": args.settle,
                                 "app_first_start_ever_rss_mb": round(first_rss_kb / 1024, 1)}
    print(f"idle in the tray on Xvfb + openbox + trayer: {args.settle:.0f} s after start, then "
          f"{seconds:.0f} s measured; both processes side by side (the app's first start ever, "
          f"before: {first_rss_kb / 1024:.1f} MB RSS after {args.settle:.0f} s, not judged)")
    print(f"{'process':<12}{'RSS MB':>9}{'threads':>9}{'CPU ticks':>11}{'per min':>9}"
          f"{'wake-ups':>10}{'per s':>8}")
    for name in processes:
        ticks = after[name]["ticks"] - before[name]["ticks"]
        woken = wakeups[name].total()
        figures[f"{name}_rss_mb"] = round(after[name]["rss_kb"] / 1024, 1)
        figures[f"{name}_threads"] = len(after[name]["threads"])
        figures[f"{name}_cpu_ticks_per_minute"] = round(ticks * 60 / seconds, 2)
        figures[f"{name}_wakeups_per_second"] = round(woken / seconds, 3)
        print(f"{name:<12}{after[name]['rss_kb'] / 1024:>9.1f}{len(after[name]['threads']):>9}{ticks:>11}"
              f"{ticks * 60 / seconds:>9.2f}{woken:>10}{woken / seconds:>8.3f}   "
              + ", ".join(f"{thread}: {count}" for thread, count in wakeups[name].by_thread.items()))
    figures["rss_ratio"] = round(after["app"]["rss_kb"] / after["bare_tray"]["rss_kb"], 3)
    figures["app_wizard_open_rss_mb"] = round(with_wizard_kb / 1024, 1)
    figures["app_after_first_report_rss_mb"] = round(after_report_kb / 1024, 1)
    print(f"after the first report (not judged): {with_wizard_kb / 1024:.1f} MB RSS with the wizard "
          f"open, {after_report_kb / 1024:.1f} MB {args.after_report:.0f} s after it closed "
          f"({(after_report_kb - after['app']['rss_kb']) / 1024:+.1f} MB over the idle figure above)")
    print(f"RSS ratio app / bare tray {figures['rss_ratio']:.2f} (target <= {TARGETS['rss_ratio_max']}), "
          f"CPU ticks a minute {figures['app_cpu_ticks_per_minute']} (target <= "
          f"{TARGETS['cpu_ticks_per_minute_max']}), wake-ups a second "
          f"{figures['app_wakeups_per_second']} (target <= {TARGETS['wakeups_per_second_max']})")
    met = (figures["rss_ratio"] <= TARGETS["rss_ratio_max"]
           and figures["app_cpu_ticks_per_minute"] <= TARGETS["cpu_ticks_per_minute_max"]
           and figures["app_wakeups_per_second"] <= TARGETS["wakeups_per_second_max"])
    print(json.dumps({"benchmark": "idle", "figures": figures, "targets": TARGETS, "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
