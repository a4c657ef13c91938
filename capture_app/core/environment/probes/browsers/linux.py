"""Browsers on Linux: desktop entries (XDG), ``--version``, and ``xdg-settings`` for the default."""
from __future__ import annotations

import os
import re
import shlex
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from capture_app.core.environment.probes.base import Unknown, Value, unknown
from capture_app.core.environment.probes.browsers.found import (
    Findings,
    InstalledBrowser,
    no_default,
)
from capture_app.core.environment.probes.commands import CommandError, run_command
from capture_app.core.environment.probes.host import Host
from capture_app.core.platform.config import Text

# Desktop file IDs of packages, Flatpaks and Snaps, and the program names they run.
DESKTOP_IDS = {
    "google-chrome": "chrome", "google-chrome-stable": "chrome", "com.google.Chrome": "chrome",
    "microsoft-edge": "edge", "microsoft-edge-stable": "edge", "com.microsoft.Edge": "edge",
    "firefox": "firefox", "firefox-esr": "firefox", "org.mozilla.firefox": "firefox",
    "firefox_firefox": "firefox", "opera": "opera", "com.opera.Opera": "opera",
    "brave-browser": "brave", "com.brave.Browser": "brave", "chromium": "chromium",
    "chromium-browser": "chromium", "org.chromium.Chromium": "chromium",
    "chromium_chromium": "chromium",
}
PROGRAMS = [
    (re.compile(r"^google-chrome(-stable)?$"), "chrome"),
    (re.compile(r"^microsoft-edge(-stable)?$"), "edge"),
    (re.compile(r"^firefox(-esr|-bin)?$"), "firefox"),
    (re.compile(r"^opera$"), "opera"),
    (re.compile(r"^brave(-browser)?(-stable)?$"), "brave"),
    (re.compile(r"^chromium(-browser)?$"), "chromium"),
]
VERSION = re.compile(r"\b(\d+(?:\.\d+)+(?:[a-z]+\d*)?)\b")
MAX_ENTRY = 256 * 1024


@dataclass
class DesktopEntry:
    path: Path
    fields: dict[str, str]

    @property
    def exec_argv(self) -> list[str]:
        argv = shlex.split(self.fields.get("Exec", ""))
        argv = [arg for arg in argv if not re.fullmatch(r"%[a-zA-Z]", arg)]
        while argv and (argv[0] == "env" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0])):
            argv = argv[1:]
        return argv


class BrokenEntry(Exception):
    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem = Text(f"probes.entry.{problem}", params)


def parse_desktop_entry(path: Path) -> DesktopEntry:
    """The ``[Desktop Entry]`` group; ``BrokenEntry`` says what is wrong with a damaged file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_ENTRY + 1)
    except OSError as exc:
        raise BrokenEntry("unreadable", error=exc.strerror or type(exc).__name__) from None
    if len(raw) > MAX_ENTRY:
        raise BrokenEntry("too_large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BrokenEntry("not_utf8") from None
    fields: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        if group == "Desktop Entry" and "=" in line:
            key, _, value = line.partition("=")
            fields.setdefault(key.strip(), value.strip())
    if group is None and not fields:
        raise BrokenEntry("no_group")
    if "Exec" not in fields:
        raise BrokenEntry("no_exec")
    entry = DesktopEntry(path, fields)
    try:
        if not entry.exec_argv:
            raise BrokenEntry("empty_exec")
    except ValueError:
        raise BrokenEntry("bad_exec") from None
    return entry


def application_dirs(host: Host) -> list[Path]:
    env = host.env
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local/share")
    data_dirs = [Path(p) for p in (env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if p]
    extra = [home / ".local/share/flatpak/exports/share", Path("/var/lib/flatpak/exports/share")]
    dirs = [data_home, *data_dirs, *extra]
    seen = []
    for folder in dirs:
        candidate = folder / "applications"
        if candidate not in seen:
            seen.append(candidate)
    seen.append(Path("/var/lib/snapd/desktop/applications"))
    return seen


def desktop_files(host: Host) -> dict[str, Path]:
    """Desktop file ID → file; an ID in an earlier folder hides the same ID in later ones."""
    found: dict[str, Path] = {}
    for folder in application_dirs(host):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name.endswith(".desktop"):
                found.setdefault(name[:-len(".desktop")], folder / name)
    return found


def browser_of(desktop_id: str, entry: DesktopEntry | None) -> str | None:
    if desktop_id in DESKTOP_IDS:
        return DESKTOP_IDS[desktop_id]
    if entry is not None and entry.exec_argv:
        program = os.path.basename(entry.exec_argv[0])
        for pattern, browser_id in PROGRAMS:
            if pattern.match(program):
                return browser_id
    return None


def parse_version(output: str) -> str | None:
    match = VERSION.search(output)
    return match.group(1) if match else None


def version_of(entry: DesktopEntry, host: Host, timeout: float) -> Value:
    argv = entry.exec_argv
    if os.path.basename(argv[0]) == "flatpak":
        return unknown("flatpak")
    try:
        result = host.command([argv[0], "--version"], timeout)
    except CommandError as exc:
        return unknown(exc.reason_key, **exc.params)
    version = parse_version(result.stdout) or parse_version(result.stderr)
    if not version:
        return unknown("no_version", command=f"{os.path.basename(argv[0])} --version")
    return version


def default_desktop_id(host: Host, timeout: float) -> str | None:
    try:
        result = host.command(["xdg-settings", "get", "default-web-browser"], timeout)
        answer = result.stdout.strip()
        if result.returncode == 0 and answer.endswith(".desktop"):
            return cast("str | None", answer[:-len(".desktop")])
    except CommandError:
        pass
    return _from_mimeapps(host)


def _from_mimeapps(host: Host) -> str | None:
    """The handler of https/http links in the mimeapps.list files, as xdg-mime reads them."""
    env = host.env
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    config_dirs = [Path(p) for p in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":") if p]
    files = [config_home / "mimeapps.list"] + [d / "mimeapps.list" for d in config_dirs]
    files += [Path(d) / "applications/mimeapps.list" for d in
              [env.get("XDG_DATA_HOME") or home / ".local/share",
               *(env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")] if d]
    for scheme in ("x-scheme-handler/https", "x-scheme-handler/http"):
        for file in files:
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            block = re.search(r"^\[Default Applications\]\s*$(.*?)(?=^\[|\Z)", text,
                              re.MULTILINE | re.DOTALL)
            match = re.search(rf"^{re.escape(scheme)}\s*=\s*([^;\s]+)", block.group(1) if block else "",
                              re.MULTILINE)
            if match and match.group(1).endswith(".desktop"):
                return match.group(1)[:-len(".desktop")]
    return None


Candidate = tuple[str, str, "DesktopEntry | None", "Unknown | None"]


def find_browsers(host: Host, version_timeout: float) -> Findings:
    asked: dict[str, str | None] = {}
    # Asked while the versions are asked: each program start costs a moment.
    default_thread = threading.Thread(
        target=lambda: asked.update(id=default_desktop_id(host, version_timeout)), daemon=True)
    default_thread.start()
    files = desktop_files(host)
    candidates = _candidates(files)
    versions = _versions(candidates, host, version_timeout)
    installed = []
    seen_programs = set()
    for index, (browser_id, desktop_id, entry, problem) in enumerate(candidates):
        if entry is not None:
            program = entry.exec_argv[0]
            if program in seen_programs:
                continue  # two desktop entries of one program (e.g. a private-window launcher)
            seen_programs.add(program)
        version = problem or versions.get(index) or unknown("timeout", seconds=f"{version_timeout:g}")
        installed.append(InstalledBrowser(browser_id, version, str(files[desktop_id])))
    default_thread.join(version_timeout + 2.0)
    return Findings(installed, _default(asked.get("id"), files))


def _candidates(files: dict[str, Path]) -> list[Candidate]:
    """(browser, desktop id, entry, problem) for every desktop entry of a known browser."""
    candidates: list[Candidate] = []
    for desktop_id, path in files.items():
        try:
            entry = parse_desktop_entry(path)
        except BrokenEntry as broken:
            if desktop_id in DESKTOP_IDS:
                candidates.append((DESKTOP_IDS[desktop_id], desktop_id, None,
                                   unknown("broken_entry", file=str(path), problem=broken.problem)))
            continue
        if entry.fields.get("Hidden", "").lower() == "true":
            continue  # the agent or the system removed it
        known_id = browser_of(desktop_id, entry)
        if known_id:
            candidates.append((known_id, desktop_id, entry, None))
    return candidates


def _versions(candidates: list[Candidate], host: Host, version_timeout: float) -> dict[int, Value]:
    """Each candidate's ``--version``, all asked at once (index in ``candidates`` → version)."""
    versions: dict[int, Value] = {}

    def ask(index: int, entry: DesktopEntry) -> None:
        versions[index] = version_of(entry, host, version_timeout)

    threads = []
    for index, (_b, _d, entry, problem) in enumerate(candidates):
        if entry is not None and problem is None:
            thread = threading.Thread(target=ask, args=(index, entry), daemon=True)
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join(version_timeout + 2.0)  # run_command kills the program at version_timeout
    return versions


def _default(default_id: str | None, files: dict[str, Path]) -> Value:
    """The default browser's name, from the desktop id the desktop reports."""
    if not default_id:
        return no_default()
    entry = None
    if default_id in files:
        try:
            entry = parse_desktop_entry(files[default_id])
        except BrokenEntry:
            entry = None
    default_browser = browser_of(default_id, entry)
    from capture_app.core.environment.probes.browsers.found import BROWSERS

    name = entry.fields.get("Name") if entry else None
    return BROWSERS[default_browser] if default_browser else (name or default_id)


__all__ = ["find_browsers", "parse_desktop_entry", "run_command"]
