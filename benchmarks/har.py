"""Sanitising a 50 MB HAR: time and peak memory against a plain ``json.load`` of the same file.

    python benchmarks/har.py [--mb 50] [--runs 5]

Two 50 MB HARs are generated, each entry with the headers Chrome records, a session cookie,
a bearer token and a token in the query string:

* ``session`` — what a browser writes during a consultation: by entries half API answers
  (JSON), a tenth page code (script bundles), a fifth images, plus styles, fonts, the page
  and beacons; by bytes mostly scripts and images;
* ``header_heavy`` — thousands of small API calls: the most headers per megabyte, the worst
  case for a sanitiser that has to look at every one of them.

Each job runs in a fresh Python process so that its peak memory (``ru_maxrss``) is its own:

* ``json_load`` — ``json.load`` of the file: the least any reader must do;
* ``sanitise``  — ``capture_app.core.evidence.har.sanitise_har_file``: read, clean, write valid HAR.

Time is the CPU time of each process, the fastest of ``--runs`` (a shared machine's other load
counts as little as possible); wall time is printed beside it. Targets, for the ``session`` HAR:
sanitising takes at most 3× the time and 2× the peak memory of the plain load. The
``header_heavy`` figures are reported as well.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_TIME_RATIO = 3.0
TARGET_MEMORY_RATIO = 2.0

JOB = r"""
import json, resource, sys, time
kind, source, target = sys.argv[1:4]
if kind == "sanitise":
    from capture_app.core.evidence.har import sanitise_har_file
wall, cpu = time.perf_counter(), time.process_time()
if kind == "json_load":
    with open(source, encoding="utf-8") as handle:
        data = json.load(handle)
    entries = len(data["log"]["entries"])
else:
    entries = sanitise_har_file(source, target).entries
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peak_bytes = peak if sys.platform == "darwin" else peak * 1024
print(json.dumps({"cpu": cpu, "wall": wall, "peak_bytes": peak_bytes, "entries": entries}))
"""


REQUEST_HEADERS = [
    ("Accept", "application/json, text/plain, */*"), ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "de-DE,de;q=0.9,en;q=0.8"), ("Connection", "keep-alive"),
    ("sec-ch-ua", '"Chromium";v="131", "Not_A Brand";v="24"'), ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", '"Windows"'), ("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Site", "same-origin"),
    ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36")]
RESPONSE_HEADERS = [
    ("cache-control", "no-cache, private"), ("date", "Fri, 27 Nov 2026 08:15:02 GMT"),
    ("server", "nginx"), ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("vary", "Accept-Encoding"), ("x-content-type-options", "nosniff"),
    ("x-frame-options", "SAMEORIGIN"), ("content-encoding", "br")]

# What a browser session on the platform is made of, by (kind, share of entries, body bytes):
# page code and styles, images and fonts, API answers, the page itself, small beacons.
SESSION_MIX = [("script", 10, (40_000, 400_000)), ("css", 3, (10_000, 80_000)),
               ("image", 20, (2_000, 60_000)), ("font", 2, (20_000, 80_000)),
               ("api", 50, (500, 30_000)), ("html", 1, (20_000, 100_000)),
               ("beacon", 14, (0, 200))]
# Many small API calls with every header a secret can hide in: the worst case per byte.
HEADER_HEAVY_MIX = [("api", 60, (500, 8_000)), ("script", 15, (1_000, 10_000)),
                    ("html", 5, (1_500, 9_000)), ("image", 15, (1_000, 8_000)),
                    ("beacon", 5, (0, 200))]


def _body(rng: random.Random, kind: str, size: int, n: int, token: str) -> dict:
    if kind == "api" and n % 40 == 0:  # sign-in and token refresh answers carry tokens
        text = json.dumps({"access_token": token, "refresh_token": token[::-1], "expires_in": 3600,
                           "user": {"id": n, "email": "berater@example-bank.de"}})
        return {"size": len(text), "mimeType": "application/json", "text": text}
    if kind == "api":
        items, text = [], ""
        while len(text) < size:
            i = len(items)
            items.append({"id": i, "title": f"Termin {i}", "status": "ok",
                          "start": "2026-11-27T10:00:00+01:00",
                          "owner": {"id": i * 7, "name": "Berater", "role": "advisor"}})
            if i % 10 == 0:
                text = json.dumps({"items": items})
        text = json.dumps({"items": items})
        return {"size": len(text), "mimeType": "application/json", "text": text}
    if kind in ("script", "css", "html"):
        line = {"script": "function f(a){return a+1}\n", "css": ".termin{color:#123}\n",
                "html": "<div class='termin'>Termin</div>\n"}[kind]
        mime = {"script": "application/javascript", "css": "text/css", "html": "text/html"}[kind]
        text = line * max(1, size // len(line))
        return {"size": len(text), "mimeType": mime, "text": text}
    if kind in ("image", "font"):
        text = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
        return {"size": size * 3 // 4, "mimeType": "image/png" if kind == "image" else "font/woff2",
                "text": text, "encoding": "base64"}
    return {"size": 0, "mimeType": "text/plain"}


def make_entry(rng: random.Random, n: int, mix) -> dict:
    kind, _, (low, high) = rng.choices(mix, [share for _, share, _ in mix])[0]
    host = rng.choice(["beratung.example-bank.de", "api.example-bank.de", "cdn.example-bank.de"])
    token = base64.urlsafe_b64encode(rng.randbytes(24)).decode().rstrip("=")
    url = f"https://{host}/api/v2/items/{n}?page={n % 7}&access_token={token}&lang=de"
    headers = [{"name": name, "value": value} for name, value in REQUEST_HEADERS] + [
        {"name": "Authorization", "value": f"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI{n}In0.{token}"},
        {"name": "Cookie", "value": f"SESSION={token}; lang=de"},
        {"name": "Referer", "value": f"https://{host}/meeting/{n}"},
        {"name": "X-Request-Id", "value": f"{rng.getrandbits(64):016x}"}]
    content = _body(rng, kind, rng.randrange(low, high + 1), n, token)
    return {
        "_initiator": {"type": "script", "url": f"https://{host}/app.js"},
        "_priority": "High", "_resourceType": "fetch" if kind in ("api", "beacon") else kind,
        "cache": {}, "connection": str(rng.randrange(1000, 9999)), "pageref": "page_1",
        "request": {"method": rng.choice(["GET", "GET", "POST"]), "url": url, "httpVersion": "http/2.0",
                    "headers": headers, "queryString": [{"name": "page", "value": str(n % 7)},
                                                        {"name": "access_token", "value": token},
                                                        {"name": "lang", "value": "de"}],
                    "cookies": [{"name": "SESSION", "value": token, "path": "/", "httpOnly": True,
                                 "secure": True}],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": rng.choices([200, 204, 304, 404, 500, 502], [80, 5, 5, 4, 3, 3])[0],
                     "statusText": "", "httpVersion": "http/2.0",
                     "headers": [{"name": k, "value": v} for k, v in RESPONSE_HEADERS] + [
                         {"name": "content-type", "value": content["mimeType"]},
                         {"name": "set-cookie", "value": f"SESSION={token}; Secure"}],
                     "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                     "bodySize": content["size"], "_transferSize": content["size"] + 300},
        "serverIPAddress": "192.0.2.10", "startedDateTime": "2026-11-27T09:15:02.120Z",
        "time": rng.uniform(5, 4000),
        "timings": {"blocked": 1.2, "dns": -1, "ssl": -1, "connect": -1, "send": 0.2,
                    "wait": rng.uniform(5, 3000), "receive": 1.1, "_blocked_queueing": 0.8},
    }


def generate(path: Path, megabytes: int, mix=SESSION_MIX) -> int:
    rng = random.Random(50)
    limit = megabytes * 1024 * 1024
    written = 0
    count = 0
    with path.open("w", encoding="utf-8") as out:
        head = ('{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},\n'
                '"pages": [{"startedDateTime": "2026-11-27T09:15:00.000Z", "id": "page_1", '
                '"title": "https://beratung.example-bank.de/meeting/4711", "pageTimings": {}}],\n'
                '"entries": [\n')
        out.write(head)
        written += len(head)
        while written < limit:
            text = ("" if count == 0 else ",\n") + json.dumps(make_entry(rng, count, mix), indent=2)
            out.write(text)
            written += len(text)
            count += 1
        out.write("\n]}}\n")
    return count


def run_job(kind: str, source: Path, target: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", JOB, kind, str(source), str(target)],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(mix, megabytes: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="har-bench-") as folder:
        source, target = Path(folder) / "network.har", Path(folder) / "sanitised.har"
        entries = generate(source, megabytes, mix)
        samples: dict[str, list[dict]] = {"json_load": [], "sanitise": []}
        for _ in range(runs):  # alternating, so both see the same machine load
            for kind in samples:
                samples[kind].append(run_job(kind, source, target))
        sizes = source.stat().st_size, target.stat().st_size
    # The fastest of several runs: the least disturbed by whatever else the machine does.
    cpu = {k: min(s["cpu"] for s in v) for k, v in samples.items()}
    wall = {k: min(s["wall"] for s in v) for k, v in samples.items()}
    peak = {k: max(s["peak_bytes"] for s in v) for k, v in samples.items()}
    return {"entries": entries, "in": sizes[0], "out": sizes[1], "cpu": cpu, "wall": wall,
            "peak": peak, "time_ratio": cpu["sanitise"] / cpu["json_load"],
            "memory_ratio": peak["sanitise"] / peak["json_load"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {"session": measure(SESSION_MIX, args.mb, args.runs),
               "header_heavy": measure(HEADER_HEAVY_MIX, args.mb, args.runs)}
    mb = 1024 * 1024
    print(f"{'HAR':<14}{'entries':>8}{'in MB':>7}{'out MB':>7}{'job':>11}{'cpu s':>8}{'wall s':>8}{'peak MB':>9}")
    for name, r in results.items():
        for kind in ("json_load", "sanitise"):
            print(f"{name:<14}{r['entries']:>8}{r['in'] / mb:>7.1f}{r['out'] / mb:>7.1f}{kind:>11}"
                  f"{r['cpu'][kind]:>8.2f}{r['wall'][kind]:>8.2f}{r['peak'][kind] / mb:>9.1f}")
        print(f"{name:<14}{'ratio sanitise/json_load':>44}{r['time_ratio']:>8.2f}{'':>8}{r['memory_ratio']:>9.2f}")
    session = results["session"]
    print(f"targets (browser session HAR): time <= {TARGET_TIME_RATIO}x, memory <= {TARGET_MEMORY_RATIO}x; "
          "time is CPU time of each process, so other load on the machine does not count")
    met = session["time_ratio"] <= TARGET_TIME_RATIO and session["memory_ratio"] <= TARGET_MEMORY_RATIO
    figures = {}
    for name, r in results.items():
        figures.update({
            f"{name}_input_mb": round(r["in"] / mb, 1), f"{name}_entries": r["entries"],
            f"{name}_output_mb": round(r["out"] / mb, 1),
            f"{name}_json_load_cpu_s": round(r["cpu"]["json_load"], 3),
            f"{name}_sanitise_cpu_s": round(r["cpu"]["sanitise"], 3),
            f"{name}_json_load_peak_mb": round(r["peak"]["json_load"] / mb, 1),
            f"{name}_sanitise_peak_mb": round(r["peak"]["sanitise"] / mb, 1),
            f"{name}_time_ratio": round(r["time_ratio"], 2),
            f"{name}_memory_ratio": round(r["memory_ratio"], 2)})
    print(json.dumps({"benchmark": "har", "figures": figures,
                      "targets": {"session_time_ratio": TARGET_TIME_RATIO,
                                  "session_memory_ratio": TARGET_MEMORY_RATIO},
                      "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
