"""Readers of untrusted input on hostile input: linear time, and not much slower than on ordinary input.

    python benchmarks/hostile.py [--max-kb 2048] [--runs 3]

For each reader (HAR, console logs, free-text scrubbing, personal data, file names, user agents,
config TOML, PNG validation) a set of adversarial inputs is built at growing sizes — the size
doubles each step up to ``--max-kb`` — next to an ordinary input of the same size:

* deep nesting (``[[[[…]]]]`` in a body, a value nested a thousand levels down),
* long runs of one character (newlines, ``@``, digits, quotes, ``%``, dots, ``=``),
* unterminated constructs (a string, a multipart body without its closing boundary, a
  multi-line TOML string, a Chrome log message without its end),
* many keys (a JSON body or a settings file with tens of thousands of keys).

Two figures per input, both from CPU time (``time.process_time``, the fastest of ``--runs`` —
more runs for quick inputs, up to 0.5 s or 25 runs — so other load on a shared machine counts
as little as possible):

* ``ratio`` — time per MB on the hostile input at the largest size over time per MB on the
  ordinary input of the same size (target ≤ 3×);
* ``growth`` — time at the largest size over time at half of it (target ≤ 2.5×; linear is 2×,
  quadratic 4×). The two sizes are run in turns, so load elsewhere on the machine slows both.

Per reader the worst of its inputs is reported. Output: a table, then one JSON line
``{"benchmark": "hostile", "figures": {...}, "targets": {...}, "met": true|false}``; the exit
status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import struct
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capture_app.core.environment.useragent import UserAgentError, parse_user_agent  # noqa: E402
from capture_app.core.evidence import (  # noqa: E402
    console_log,
    har,
    png,
)
from capture_app.core.platform.config import Config  # noqa: E402
from capture_app.core.platform.fsutil import sanitize_filename  # noqa: E402
from capture_app.core.platform.paths import AppPaths  # noqa: E402
from capture_app.core.privacy import (  # noqa: E402
    pii,
    text_scrub,
)

TARGET_RATIO = 3.0
TARGET_GROWTH = 2.5
# Below this a measurement is mostly interpreter overhead: the growth of a reader that takes
# less than this at the largest size is not judged (it cannot be quadratic in any way that
# matters to a user).
NOISE_FLOOR_S = 0.004


def _fill(pattern: str, size: int) -> str:
    return (pattern * (size // len(pattern) + 1))[:size]


# --- HAR -------------------------------------------------------------------------------------------

def _entry(n: int, body: str, mime: str = "application/json", post: dict | None = None) -> dict:
    entry = {
        "startedDateTime": "2026-11-27T09:15:02.120+01:00", "time": 120.5 + n % 7,
        "request": {"method": "GET", "url": f"https://beratung.example-bank.de/api/meetings/{n}?page=2",
                    "httpVersion": "HTTP/2", "cookies": [],
                    "headers": [{"name": "Accept", "value": "application/json"},
                                {"name": "User-Agent", "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                                 "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}],
                    "queryString": [{"name": "page", "value": "2"}], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "cookies": [],
                     "headers": [{"name": "Content-Type", "value": mime}],
                     "content": {"size": len(body), "mimeType": mime, "text": body},
                     "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
        "cache": {}, "timings": {"send": 1, "wait": 100, "receive": 19.5},
    }
    if post is not None:
        entry["request"]["postData"] = post
    return entry


def _har(entries: list[dict]) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                               "entries": entries}})


def har_ordinary(size: int) -> str:
    rng = random.Random(7)
    entries, used, n = [], 0, 0
    while used < size:
        items = [{"id": rng.randrange(10**6), "titel": "Beratungstermin", "start": "2026-11-27T09:15:00+01:00",
                  "status": rng.choice(["geplant", "abgesagt"]), "raum": f"raum-{rng.randrange(99)}"}
                 for _ in range(rng.randrange(5, 60))]
        entry = _entry(n, json.dumps({"items": items}))
        used += len(json.dumps(entry))
        entries.append(entry)
        n += 1
    return _har(entries)


def _one_body(size: int, body: str, mime="application/json", post=None) -> str:
    return _har([_entry(0, body, mime, post)])


HAR_CASES = {
    "nested_body": lambda size: _one_body(size, '{"password": ' + "[" * (size // 2) + "]" * (size // 2) + "}"),
    "nested_entries": lambda size: _har([dict(_entry(n, "{}"), _initiator=json.loads("[" * 900 + "]" * 900))
                                         for n in range(max(1, size // 2600))]),
    "newlines": lambda size: _one_body(size, "\n" * size, "text/plain"),
    "at_signs": lambda size: _one_body(size, "@" * size, "text/plain"),
    "digits": lambda size: _one_body(size, "0" * size, "text/plain"),
    "percent": lambda size: _one_body(size, _fill("%4", size), "text/plain"),
    "unterminated_string": lambda size: _one_body(size, '{"token": "' + "x" * size, "application/json"),
    "multipart_open": lambda size: _one_body(size, "{}", post={
        "mimeType": "multipart/form-data; boundary=b",
        "text": _fill('--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nxxxxxxxxxxxxxxxx\r\n', size)
        + '--b\r\nContent-Disposition: form-data; name="token"\r\n\r\nGEHEIM'}),
    "many_keys": lambda size: _one_body(size, json.dumps({f"k{n}": n for n in range(size // 12)})),
    "equals": lambda size: _one_body(size, _fill("a=", size), "text/plain"),
}


def har_run(text: str) -> None:
    har.sanitise_har_text(text, io.StringIO())


# --- console logs, free text, personal data ---------------------------------------------------------

CONSOLE_SAMPLE = (ROOT / "tests" / "fixtures" / "console" / "chrome-save-as.log").read_text(encoding="utf-8")


def console_ordinary(size: int) -> str:
    return _fill(CONSOLE_SAMPLE, size)


CONSOLE_CASES = {
    "newlines": lambda size: "\n" * size,
    "one_long_line": lambda size: "x" * size,
    "policy_words": lambda size: _fill("Content-Security-Policy Cookie preload WebSocket connection to ", size),
    "chrome_unterminated": lambda size: '[1:2:1127/150343.280331:INFO:CONSOLE:7] "' + _fill("message line\n", size),
    "stack_lines": lambda size: "Uncaught Error\n" + _fill("    at f (app.js:1:1)\n", size),
    "at_locations": lambda size: _fill("a @ b @ c:1 ", size),
    "firefox_locations": lambda size: _fill("x:1:1 ", size),
}


def console_run(text: str) -> None:
    console_log.render_report(console_log.parse(text), "de")


def text_ordinary(size: int) -> str:
    return _fill(CONSOLE_SAMPLE + "GET https://app.example.de/api?page=2 200\nAuthorization: Bearer "
                 "abc123def456ghi789\n", size)


TEXT_CASES = {
    "newlines": lambda size: "\n" * size,
    "equals": lambda size: _fill("a=", size),
    "quotes": lambda size: '"' * size,
    "jwt_starts": lambda size: _fill("eyJ", size),
    "schemes": lambda size: _fill("a://", size),
    "bearer": lambda size: _fill("Bearer ", size),
    "json_pairs": lambda size: _fill('"password":', size),
    "header_lines": lambda size: _fill("cookie:\n", size),
    "open_quote": lambda size: '"' + "x" * size,
}


def text_run(text: str) -> None:
    text_scrub.scrub_text(text, Counter())


PII_CASES = {
    "at_signs": lambda size: "@" * size,
    "dots_and_at": lambda size: _fill("a.", size) + "@",
    "digits": lambda size: "0" * size,
    "phone_parts": lambda size: _fill("+49 30 ", size),
    "iban_starts": lambda size: _fill("DE89", size),
    "percent_at": lambda size: _fill("%40", size),
    "plus_digits": lambda size: _fill("1+", size),
    "escapes": lambda size: _fill("\\n", size),
    "many_findings": lambda size: _fill("Tel. +49 30 1234567, erika@example.de; ", size),
}


def pii_run(text: str) -> None:
    pii.mask_counted(text, Counter())


# --- file names, user agents ---------------------------------------------------------------------------

NAME_CASES = {
    "dots": lambda size: "." * size,
    "separators": lambda size: _fill("a/..\\", size),
    "bidi": lambda size: _fill("\u202eexe.jpg", size),
}


def name_ordinary(size: int) -> str:
    return _fill("Bildschirmfoto 2026-11-27 um 09.15.02 ", size)


def name_run(text: str) -> None:
    sanitize_filename(text)


UA_CASES = {
    "spaces": lambda size: " " * size,
    "slashes_digits": lambda size: _fill("a/1 ", size),
    "label": lambda size: _fill("User-Agent: ", size),
}


def ua_ordinary(size: int) -> str:
    return _fill("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36 ",
                 size)


def ua_run(text: str) -> None:
    try:
        parse_user_agent(text)
    except UserAgentError:
        pass


# --- config TOML ---------------------------------------------------------------------------------------

_CONFIG_DIR = Path(tempfile.mkdtemp(prefix="hostile-config-"))


def config_ordinary(size: int) -> str:
    """What a large settings file holds: commented sections of keys and values."""
    blocks, n = [], 0
    while sum(map(len, blocks)) < size:
        blocks.append(f"# Filiale {n}: Ansprechpartnerin und Zeiten (von der IT gepflegt)\n"
                      f"[filiale_{n}]\nname = \"Filiale {n}\"\nemail = \"filiale{n}@example-bank.de\"\n"
                      f"phone = \"+49 30 1234{n:04d}\"\nopens = \"09:00\"\ncloses = \"18:00\"\n\n")
        n += 1
    return "".join(blocks)


CONFIG_CASES = {
    "unknown_keys": lambda size: "[zeug]\n" + "".join(f"k{n} = {n}\n" for n in range(size // 11)),
    "long_value": lambda size: '[reporter]\norganisation = "' + "A" * size + '"\n',
    "open_multiline": lambda size: 'x = """\n' + _fill("zeile\n", size),
    "dotted_keys": lambda size: "a" + _fill(".a", size) + " = 1\n",
    "tables": lambda size: _fill("[t]\n", size),
}


def config_run(text: str) -> None:
    paths = AppPaths(data_dir=_CONFIG_DIR / "data", config_dir=_CONFIG_DIR / "config",
                     system_config_file=_CONFIG_DIR / "system.toml")
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.user_config_file.write_text(text, encoding="utf-8")
    Config.load(paths)


# --- PNG -------------------------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, raw: bytes, chunks: list[bytes] | None = None) -> bytes:
    head = png.SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = chunks if chunks is not None else [_chunk(b"IDAT", zlib.compress(raw, 6))]
    return head + b"".join(body) + _chunk(b"IEND", b"")


def png_ordinary(size: int) -> bytes:
    rng = random.Random(3)
    width = 512
    rows = []
    while sum(map(len, rows)) < size * 3:  # screen-like content compresses about 3:1
        colour = bytes([rng.randrange(256), 255, 255]) * (width // 2)
        rows.append(b"\0" + colour + bytes(rng.randrange(256) for _ in range(width * 3 - len(colour))))
    data = _png(width, len(rows), b"".join(rows))
    return data


PNG_CASES = {
    "many_chunks": lambda size: _png(1, 1, b"", [_chunk(b"tEXt", b"a") for _ in range(size // 13)]
                                     + [_chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))]),
    "tiny_idats": lambda size: _tiny_idats(size),
    "cut_stream": lambda size: (lambda data: data[: len(data) // 2])(png_ordinary(size)),
}
# A decompression bomb costs what its pixels cost, not what its bytes cost: its time is bounded
# by the pixel limit every import checks first (limits.max_image_pixels, 100 megapixels), and
# is reported beside the table rather than per MB.
BOMB_PIXELS = (10_000, 10_000)


def png_bomb() -> bytes:
    width, height = BOMB_PIXELS
    return _png(width, height, b"", [_chunk(b"IDAT", zlib.compress(bytes(width * height * 3 + height), 9))])


def _tiny_idats(size: int) -> bytes:
    """The image data in one-byte IDAT chunks (13 bytes of chunk per byte of data)."""
    height = max(1, size // 13 // 4)
    stream = zlib.compress(bytes(4 * height), 0)
    return _png(1, height, b"", [_chunk(b"IDAT", stream[i:i + 1]) for i in range(len(stream))])


def png_run(data: bytes) -> None:
    try:
        png.verify(data)
    except png.PngError:
        pass


READERS = {
    "har": (HAR_CASES, har_ordinary, har_run),
    "console": (CONSOLE_CASES, console_ordinary, console_run),
    "text_scrub": (TEXT_CASES, text_ordinary, text_run),
    "pii": (PII_CASES, text_ordinary, pii_run),
    "file_names": (NAME_CASES, name_ordinary, name_run),
    "user_agent": (UA_CASES, ua_ordinary, ua_run),
    "config": (CONFIG_CASES, config_ordinary, config_run),
    "png": (PNG_CASES, png_ordinary, png_run),
}


# --- measuring ---------------------------------------------------------------------------------------------

def cpu_time(run, value, runs: int) -> float:
    return cpu_times(run, [value], runs)[0]


def cpu_times(run, values: list, runs: int) -> list[float]:
    """For each value, the fastest of at least ``runs`` runs — more for quick ones (until 0.5 s
    were spent, at most 25 runs), whose single runs a busy machine disturbs most. The values
    take turns, so a burst of load elsewhere slows all of them alike."""
    best = [float("inf")] * len(values)
    spent, done = 0.0, 0
    while done < runs or (spent < 0.5 and done < 25):
        for index, value in enumerate(values):
            start = time.process_time()
            run(value)
            took = time.process_time() - start
            best[index] = min(best[index], took)
            spent += took
        done += 1
    return best


def measure(max_bytes: int, runs: int) -> dict:
    half = max_bytes // 2
    results = {}
    for reader, (cases, ordinary, run) in READERS.items():
        baseline_value = ordinary(max_bytes)
        baseline_mb = len(baseline_value) / 2**20
        rows, baselines = [], []
        for case, make in cases.items():
            small, large = make(half), make(max_bytes)
            # The ordinary input takes its turns with each hostile one: both see the same load.
            t_ordinary, t_small, t_large = cpu_times(run, [baseline_value, small, large], runs)
            baseline = t_ordinary / baseline_mb
            baselines.append(baseline)
            per_mb = t_large / (len(large) / 2**20)
            growth = t_large / t_small if t_large >= NOISE_FLOOR_S and t_small > 0 else None
            rows.append({"case": case, "mb": len(large) / 2**20, "seconds": t_large,
                         "ratio": per_mb / baseline if baseline > 0 else 0.0, "growth": growth})
        results[reader] = {"baseline_s_per_mb": min(baselines), "cases": rows}
    return results


def bomb_seconds(runs: int) -> tuple[float, int]:
    """The worst decompression bomb an import lets through the pixel limit: its check time."""
    data = png_bomb()
    return cpu_time(png_run, data, runs), len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-kb", type=int, default=2048, help="largest input (the half is measured too)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the fastest counts")
    args = parser.parse_args()
    started = time.perf_counter()
    results = measure(args.max_kb * 1024, args.runs)

    print(f"{'reader':<11} {'input':<20} {'MB':>5} {'cpu s':>7} {'ratio':>6} {'growth':>7}")
    figures, met = {}, True
    for reader, result in results.items():
        print(f"{reader:<11} {'(ordinary)':<20} {'':>5} {result['baseline_s_per_mb']:7.3f}/MB")
        for row in result["cases"]:
            growth = "-" if row["growth"] is None else f"{row['growth']:.2f}"
            flag = "" if row["ratio"] <= TARGET_RATIO and (row["growth"] or 0) <= TARGET_GROWTH else "  <-- missed"
            print(f"{'':<11} {row['case']:<20} {row['mb']:5.2f} {row['seconds']:7.3f} {row['ratio']:6.2f} "
                  f"{growth:>7}{flag}")
        worst_ratio = max(row["ratio"] for row in result["cases"])
        growths = [row["growth"] for row in result["cases"] if row["growth"] is not None]
        worst_growth = max(growths) if growths else None
        figures[f"{reader}_worst_ratio"] = round(worst_ratio, 2)
        figures[f"{reader}_worst_growth"] = None if worst_growth is None else round(worst_growth, 2)
        met = met and worst_ratio <= TARGET_RATIO and (worst_growth is None or worst_growth <= TARGET_GROWTH)
    bomb, bomb_bytes = bomb_seconds(args.runs)
    width, height = BOMB_PIXELS
    print(f"{'png':<11} {'bomb (not per MB)':<20} {bomb_bytes / 2**20:5.2f} {bomb:7.3f}   "
          f"a {bomb_bytes // 1024} KB file of {width}×{height} pixels (the import's limit): "
          f"bounded by its pixels, not its bytes")
    figures["png_bomb_at_pixel_limit_s"] = round(bomb, 3)
    elapsed = time.perf_counter() - started
    print(f"\nMeasured: CPU time (time.process_time), fastest of {args.runs} runs (quick inputs: "
          f"until 0.5 s or 25 runs), inputs of "
          f"{args.max_kb // 2} KB and {args.max_kb} KB. ratio = time per MB on the hostile input over time per MB "
          f"on ordinary input of the same size (target <= {TARGET_RATIO}x); growth = time at {args.max_kb} KB "
          f"over time at {args.max_kb // 2} KB (target <= {TARGET_GROWTH}x; not judged below "
          f"{NOISE_FLOOR_S * 1000:.0f} ms). Took {elapsed:.0f} s.")
    print(json.dumps({"benchmark": "hostile", "figures": figures,
                      "targets": {"ratio": TARGET_RATIO, "growth": TARGET_GROWTH}, "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
