"""Sending: memory for a 200 MB upload against curl, and outbox throughput against plain requests.

    python benchmarks/send.py [--size-mb 200] [--reports 500]

Both parts run against the same local sink server (a separate process on 127.0.0.1 that reads
and discards the body and answers like a ticket API).

1. **Memory.** A report with a 200 MB document is bundled, then uploaded by the HTTP transport
   (default field mapping: every file as its own part, streamed out of the zip) in a fresh
   process; ``curl -F`` uploads the same bundle to the same server. Peak memory is the
   process's maximum resident set (``wait4``). Both clients are also run with a tiny file, so the
   figure compared is what the 200 MB *add* to each client's own floor (a Python interpreter
   with requests starts far above curl):
   ``ratio = (ours_200MB / ours_tiny) / (curl_200MB / curl_tiny)``.
   Targets: ratio ≤ 1.5 and the transport's growth < 60 MB.
2. **Throughput.** Small reports are queued the way "In Postausgang" queues them (bundle
   built, state ``queued``); the outbox sender sends 500 of them the way the app's background
   sender does (claim, verify the bundle, upload, receipt; two uploads at a time). The baseline
   is a plain sequential ``requests`` loop posting 500 bundle files of the same size; both
   alternate in blocks so that changing machine load hits both alike. The transport is set to
   send the bundle as one field, so both send the same bytes. Also shown: the outbox sending one
   report at a time. Target: ≥ 0.8× the plain loop's reports per second.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEMORY_RATIO_TARGET = 1.5
MEMORY_GROWTH_TARGET_MB = 60
THROUGHPUT_TARGET = 0.8

SERVER = r"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    count = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_POST(self):
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        with Sink.lock:
            Sink.count += 1
            number = Sink.count
        body = json.dumps({"id": f"T-{number}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""

UPLOAD = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from capture_app.core.drafts import DraftStore
from capture_app.core.paths import AppPaths
from capture_app.core.transports.http import HttpSettings, HttpTransport
root, report_id, bundle, url = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
with DraftStore(AppPaths(root / "data", root / "config", root / "system.toml")) as store:
    report = store.load(report_id)
receipt = HttpTransport(HttpSettings(endpoint=url, auth="none")).send(bundle, report)
print(receipt.reference, receipt.size, flush=True)
"""


def peak_rss_kb(command: list[str], env: dict | None = None) -> tuple[int, str]:
    """Run ``command``; its maximum resident set size in KiB (Linux ``ru_maxrss``) and output."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = b"", b""
    _, status, usage = os.wait4(process.pid, 0)
    out = process.stdout.read()
    err = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {err.decode()[-500:]}")
    return usage.ru_maxrss, out.decode().strip()


def start_server() -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    return server, f"http://127.0.0.1:{port}/api/tickets"


def make_report(store, summary: str, files: list[tuple[str, str, Path | bytes]]):
    from capture_app.core.report import EvidenceItem, Report, new_id

    report = Report.new(agent_timezone="Europe/Berlin")
    report.summary = summary
    report.reporter.email = "agent@example-bank.de"
    report.triage.category, report.triage.case_id = "second_level", "other_technical"
    for name, media_type, content in files:
        item = EvidenceItem(id=new_id(), kind="document" if media_type == "application/pdf" else "screenshot",
                            filename=name, media_type=media_type, size=0, sha256="",
                            no_personal_data_confirmed=True)
        item.size, item.sha256 = store.store_attachment(report.id, item.id, content)
        report.evidence.append(item)
    revision = store.save(report)
    return report, revision


def build(store, report, out: Path):
    from capture_app import __version__
    from capture_app.core.bundle import build_bundle

    return build_bundle(report, lambda item: store.attachment_path(report.id, item.id), out,
                        app_version=__version__, language="de")


def write_document(path: Path, size: int) -> None:
    """A PDF-looking file of ``size`` bytes that does not compress (written in chunks)."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        left = size - 9
        block = os.urandom(1 << 20)
        while left > 0:
            handle.write(block[:min(left, len(block))])
            left -= len(block)


# --- 1. memory ----------------------------------------------------------------------------------

def memory(work: Path, url: str, size_mb: int) -> dict:
    from capture_app.core.drafts import DraftStore
    from capture_app.core.paths import AppPaths

    curl = shutil.which("curl")
    if not curl:
        raise SystemExit("curl is needed for the comparison: install it (apt-get install curl)")
    paths = AppPaths(work / "data", work / "config", work / "system.toml")
    big_doc, tiny_doc = work / "big.pdf", work / "tiny.pdf"
    write_document(big_doc, size_mb * 1024 * 1024)
    write_document(tiny_doc, 1024)
    with DraftStore(paths) as store:
        big, _ = make_report(store, "200 MB", [("vertrag.pdf", "application/pdf", big_doc)])
        tiny, _ = make_report(store, "klein", [("vertrag.pdf", "application/pdf", tiny_doc)])
        big_bundle = build(store, big, work / "big.zip").path
        tiny_bundle = build(store, tiny, work / "tiny.zip").path
    big_doc.unlink()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    figures = {}
    for label, report, bundle in (("tiny", tiny, tiny_bundle), ("big", big, big_bundle)):
        started = time.perf_counter()
        rss, out = peak_rss_kb([sys.executable, "-c", UPLOAD, str(work), report.id, str(bundle), url,
                                str(ROOT)], env)
        figures[f"ours_{label}_kb"] = rss
        figures[f"ours_{label}_s"] = time.perf_counter() - started
        figures[f"ours_{label}_sent"] = int(out.split()[1])
        started = time.perf_counter()
        rss, _ = peak_rss_kb([curl, "-sS", "-o", "/dev/null", "-F", f"bundle=@{bundle}", url])
        figures[f"curl_{label}_kb"] = rss
        figures[f"curl_{label}_s"] = time.perf_counter() - started
    ours = figures["ours_big_kb"] / figures["ours_tiny_kb"]
    theirs = figures["curl_big_kb"] / figures["curl_tiny_kb"]
    figures["ratio"] = ours / theirs
    figures["ours_growth_mb"] = (figures["ours_big_kb"] - figures["ours_tiny_kb"]) / 1024
    figures["curl_growth_mb"] = (figures["curl_big_kb"] - figures["curl_tiny_kb"]) / 1024
    figures["bundle_mb"] = big_bundle.stat().st_size / 1024 / 1024
    return figures


# --- 2. throughput ------------------------------------------------------------------------------

def queue_reports(store, outbox, count: int, screenshot: bytes) -> list[Path]:
    """``count`` small reports queued as "In Postausgang" does: bundle built, then queued."""
    bundles = []
    for n in range(count):
        report, revision = make_report(store, f"Bericht {n}", [("bildschirm.png", "image/png", screenshot)])
        path = outbox.bundle_path(report.id)
        info = build(store, report, path)
        outbox.enqueue(report.id, expected_revision=revision, bundle_sha256=info.zip_sha256,
                       bundle_revision=revision)
        bundles.append(path)
    return bundles


def throughput(work: Path, url: str, count: int, blocks: int = 10) -> dict:
    """Plain loop and outbox sender alternate in blocks, so that a machine getting busier or
    quieter during the run affects both alike."""
    import requests

    from capture_app.core.drafts import DraftStore
    from capture_app.core.outbox import Outbox
    from capture_app.core.paths import AppPaths
    from capture_app.core.sending import BACKGROUND_WORKERS, OutboxSender
    from capture_app.core.transports.http import FieldMapping, HttpSettings, HttpTransport

    screenshot = (ROOT / "tests" / "core" / "fixtures" / "screenshot.png").read_bytes()
    paths = AppPaths(work / "tp" / "data", work / "tp" / "config", work / "tp" / "system.toml")
    mapping = FieldMapping(title="", body="", requester_email="", files="", json="", manifest="",
                           bundle="bundle")
    transport = HttpTransport(HttpSettings(endpoint=url, auth="none", fields=mapping))
    session = requests.Session()
    for client in (session, transport.session()):  # connections and imports, outside the timing
        client.post(url, files={"bundle": ("warm.zip", b"x")}).content
    plain = ours = single = 0.0
    sent = 0
    with DraftStore(paths) as store, Outbox(store) as outbox:
        bundles = queue_reports(store, outbox, 2 * count, screenshot)
        sender = OutboxSender(outbox, lambda: transport)
        size = -(-count // blocks)
        for start in range(0, count, size):
            block = bundles[start:start + size]
            started = time.perf_counter()
            for path in block:  # the baseline: post each bundle file, nothing else
                with path.open("rb") as handle:
                    response = session.post(url, files={"bundle": (path.name, handle, "application/zip")},
                                            headers={"Idempotency-Key": path.stem}, timeout=30)
                    response.raise_for_status()
                    response.json()
            plain += time.perf_counter() - started
            # The outbox as the app's background sender runs it: claim, verify the bundle,
            # upload, receipt — BACKGROUND_WORKERS uploads at a time.
            started = time.perf_counter()
            outcomes = sender.send_all_due(limit=len(block), workers=BACKGROUND_WORKERS)
            ours += time.perf_counter() - started
            sent += sum(1 for o in outcomes if o.state == "sent")
            # For comparison: one upload at a time.
            started = time.perf_counter()
            sender.send_all_due(limit=len(block), workers=1)
            single += time.perf_counter() - started
        receipts = sum(1 for i in outbox.items() if i.receipt is not None)
    return {"sent": sent, "receipts": receipts, "plain_s": plain, "outbox_s": ours,
            "single_s": single, "plain_per_s": count / plain, "outbox_per_s": count / ours,
            "single_per_s": count / single, "ratio": plain / ours, "single_ratio": plain / single}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--reports", type=int, default=500)
    args = parser.parse_args()
    server, url = start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="send-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
            work = Path(tmp)
            mem = memory(work, url, args.size_mb)
            tp = throughput(work, url, args.reports)
    finally:
        server.terminate()
        server.wait(10)

    print(f"\n1. Peak memory uploading a {mem['bundle_mb']:.0f} MB bundle over HTTP (max RSS)")
    print(f"   {'client':<28}{'tiny file':>12}{'200 MB':>12}{'growth':>12}{'time':>9}")
    print(f"   {'HTTP transport (Python)':<28}{mem['ours_tiny_kb'] / 1024:>10.1f}MB"
          f"{mem['ours_big_kb'] / 1024:>10.1f}MB{mem['ours_growth_mb']:>10.1f}MB{mem['ours_big_s']:>8.1f}s")
    print(f"   {'curl -F':<28}{mem['curl_tiny_kb'] / 1024:>10.1f}MB"
          f"{mem['curl_big_kb'] / 1024:>10.1f}MB{mem['curl_growth_mb']:>10.1f}MB{mem['curl_big_s']:>8.1f}s")
    print(f"   peak ratio (each against its own floor): {mem['ratio']:.2f}× "
          f"(target ≤ {MEMORY_RATIO_TARGET}×), growth {mem['ours_growth_mb']:.1f} MB "
          f"(target < {MEMORY_GROWTH_TARGET_MB} MB)")
    print(f"\n2. Throughput for {args.reports} small reports")
    print(f"   {'plain requests loop':<28}{tp['plain_per_s']:>10.1f} reports/s ({tp['plain_s']:.2f}s)")
    print(f"   {'outbox sender (as the app)':<28}{tp['outbox_per_s']:>10.1f} reports/s ({tp['outbox_s']:.2f}s), "
          f"{tp['sent']} sent, {tp['receipts']} receipts")
    print(f"   {'outbox, one at a time':<28}{tp['single_per_s']:>10.1f} reports/s ({tp['single_s']:.2f}s), "
          f"ratio {tp['single_ratio']:.2f}×")
    print(f"   ratio {tp['ratio']:.2f}× (target ≥ {THROUGHPUT_TARGET}×)\n")

    met = (mem["ratio"] <= MEMORY_RATIO_TARGET and mem["ours_growth_mb"] < MEMORY_GROWTH_TARGET_MB
           and tp["ratio"] >= THROUGHPUT_TARGET and tp["sent"] == args.reports)
    print(json.dumps({
        "benchmark": "send",
        "figures": {
            "upload_peak_rss_mb": round(mem["ours_big_kb"] / 1024, 1),
            "upload_floor_rss_mb": round(mem["ours_tiny_kb"] / 1024, 1),
            "curl_peak_rss_mb": round(mem["curl_big_kb"] / 1024, 1),
            "curl_floor_rss_mb": round(mem["curl_tiny_kb"] / 1024, 1),
            "memory_ratio_vs_curl": round(mem["ratio"], 3),
            "upload_growth_mb": round(mem["ours_growth_mb"], 1),
            "outbox_reports_per_s": round(tp["outbox_per_s"], 1),
            "plain_requests_reports_per_s": round(tp["plain_per_s"], 1),
            "throughput_ratio": round(tp["ratio"], 3),
            "outbox_one_at_a_time_reports_per_s": round(tp["single_per_s"], 1),
            "throughput_ratio_one_at_a_time": round(tp["single_ratio"], 3),
        },
        "targets": {"memory_ratio_vs_curl": f"<= {MEMORY_RATIO_TARGET}",
                    "upload_growth_mb": f"< {MEMORY_GROWTH_TARGET_MB}",
                    "throughput_ratio": f">= {THROUGHPUT_TARGET}"},
        "met": met,
    }))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
