#!/usr/bin/env python3
"""Set up and run Report Capture from a source checkout — the two commands of the quick start.

    python3 dev.py start     set up (.venv, dependencies) and start the app
    python3 dev.py test      set up (.venv, test dependencies, system packages) and run all tests

Works on Windows (``py dev.py …``), macOS and Linux. On Debian/Ubuntu it installs what is
missing — the venv module of this Python, the system libraries Qt needs, and for ``test`` the
X server, browsers and tools the tests use — as root directly, otherwise through sudo if it can,
or it prints the one command to run. A broken or half-made ``.venv`` is rebuilt.

``test`` without arguments runs the whole suite in random order (the seed is printed), in
parallel, then the tests that need file permissions to apply without root's privileges, then the
time-sensitive tests with the system clock moved to other instants (libfaketime). Extra arguments
after ``test`` go to one plain pytest run instead; after ``start`` they go to the app
(e.g. ``python3 dev.py start report``).
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import venv
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MIN_PYTHON = (3, 10)
PY_MINOR = f"{sys.version_info[0]}.{sys.version_info[1]}"

# What Qt widgets need on a plain Debian 12 (offscreen and on X11/xcb).
QT_RUNTIME_PACKAGES = [
    "libgl1", "libegl1", "libfontconfig1", "fonts-dejavu-core", "libxkbcommon0", "libglib2.0-0",
    "libdbus-1-3", "libgssapi-krb5-2", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4",
    "libxcb-keysyms1", "libxcb-shape0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
    "libxcb-xinerama0", "libxcb-xkb1",
]
# What the test suite needs on top: a real X server for the start-up test.
TEST_PACKAGES = ["xvfb", "xauth", "x11-xserver-utils",
                 # validators for the Linux desktop entry and AppStream metainfo (packaging/linux)
                 "desktop-file-utils", "appstream"]
# Real browsers for the Linux browser probes (exact --version, default browser via xdg-settings).
TEST_PACKAGES += ["chromium", "firefox-esr", "xdg-utils"]
# A real tray host (trayer), a private D-Bus for desktop notifications, GLib's launcher for the
# autostart file, and xwininfo to see which windows the app shows.
TEST_PACKAGES += ["trayer", "dbus-daemon", "libglib2.0-bin", "x11-utils"]
# Screenshots: a private D-Bus for the Wayland portal tests, scrot as the capture benchmark's baseline.
TEST_PACKAGES += ["dbus", "scrot"]
# GNU time, started by a shell, reads each process's own peak memory for benchmarks/send.py.
TEST_PACKAGES += ["time"]
# A screen reader's view: the accessibility bus and pyatspi (tests/ui/test_screen_reader.py).
TEST_PACKAGES += ["at-spi2-core", "python3-pyatspi"]
# The console guide's webview (QtWebEngine of PySide6-Addons) under Xvfb, and ImageMagick's
# `import` for the screenshots that prove it rendered.
TEST_PACKAGES += ["libnss3", "libnspr4", "libxcomposite1", "libxdamage1", "libxtst6", "libasound2",
                  "libxrandr2", "libxkbfile1", "libgbm1", "imagemagick"]
# The frozen-build test: the C compiler and binutils rebuild the reduced ICU data library.
TEST_PACKAGES += ["gcc", "binutils"]
# The journeys (tests/journeys): a real window manager (frames, focus, the work area) and real
# keyboard and pointer input through XTEST; setxkbmap (x11-xkb-utils) for the German keymap.
TEST_PACKAGES += ["openbox", "xdotool", "x11-xkb-utils"]
# setpriv runs the permission tests without root's privileges (util-linux has it on Debian 12;
# newer releases ship it on its own).
SETPRIV_PACKAGE = "util-linux"

# The instants the time-sensitive tests also run at, each with another local time zone, so that
# neither the date nor the zone of the machine decides a result. The clock keeps running from
# the instant, so each run crosses its boundary while the tests execute.
FAKED_CLOCKS = [
    ("2028-02-29 11:59:00", "a leap day", "Asia/Kolkata"),
    ("2027-03-28 00:58:00", "the night Berlin changes to summer time", "America/New_York"),
    ("2027-10-31 00:58:00", "the night Berlin changes back to winter time", "Europe/Berlin"),
    ("2031-12-31 23:59:00", "a date years ahead, at the turn of the year", "Pacific/Auckland"),
]
# The test files whose subject is time: support hours, reminders, outbox retention and backoff,
# drafts, receipts, certificates (the SMTP/HTTP tests make their certificates at run time).
CLOCK_TESTS = [
    "tests/core/test_support_hours.py", "tests/core/test_reminders.py",
    "tests/core/test_outbox.py", "tests/core/test_drafts.py", "tests/core/test_bundle.py",
    "tests/core/test_smtp_transport.py", "tests/core/test_http_transport.py",
    "tests/core/test_wizard.py", "tests/core/test_triage_flows.py",
]


class SetupError(Exception):
    """Something the machine lacks that this script cannot install; the message says what to do."""


def say(text: str) -> None:
    print(f"[dev.py] {text}", flush=True)


def run(command: list[str], **kwargs) -> None:
    """Run a set-up step; a failure becomes a SetupError naming the command, never a traceback."""
    try:
        subprocess.run(command, check=True, **kwargs)
    except subprocess.CalledProcessError as error:
        raise SetupError(f"this step failed (exit code {error.returncode}): "
                         f"{' '.join(str(part) for part in command)}") from None
    except OSError as error:
        raise SetupError(f"could not run {command[0]}: {error.strerror}") from None


# --- system packages (Debian/Ubuntu) ------------------------------------------------------------

def missing_debian_packages(packages: list[str]) -> list[str]:
    if not shutil.which("dpkg-query"):
        return []
    result = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\\n", *packages],
                            capture_output=True, text=True)
    installed = {line.split()[0] for line in result.stdout.splitlines()
                 if line.endswith("install ok installed")}
    return [package for package in packages if package not in installed]


def apt_install(packages: list[str], why: str) -> None:
    """Install Debian packages as root or through sudo; otherwise stop with the one command."""
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    one_line = f"apt-get update && apt-get install -y {' '.join(packages)}"
    if not shutil.which("apt-get"):
        raise SetupError(f"{why} needs these packages of your distribution: {' '.join(packages)}")
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo") or subprocess.run(
                ["sudo", "-n", "true"], capture_output=True).returncode != 0:
            raise SetupError(f"{why} needs system packages; run this once as root, then again "
                             f"the command you typed:\n  sudo sh -c '{one_line}'")
        prefix = ["sudo", "-n"]
    say(f"installing system packages ({why}): " + " ".join(packages))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run([*prefix, "apt-get", "update", "-qq"], env=env)
    run([*prefix, *command], env=env, stdout=subprocess.DEVNULL)


def ensure_system_packages(packages: list[str], why: str) -> None:
    if not sys.platform.startswith("linux"):
        return  # Windows and macOS wheels of Qt bring what they need
    missing = missing_debian_packages(packages)
    if missing:
        apt_install(missing, why)


def system_python() -> bool:
    """Debian's own python3 (not pyenv, conda or a python.org build)."""
    return sys.platform.startswith("linux") and Path(sys.base_prefix) == Path("/usr")


# --- the virtual environment ----------------------------------------------------------------------

def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_works(python: Path) -> bool:
    """The .venv's python starts and has pip (a half-made .venv has a python without pip)."""
    if not python.exists():
        return False
    try:
        result = subprocess.run([str(python), "-c", "import pip, sys; print(sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == str(sys.version_info[:2])


def _has_ensurepip() -> bool:
    try:
        import ensurepip  # Debian leaves the module out without python3.X-venv
    except ImportError:
        return False
    bundled = Path(ensurepip.__file__).parent / "_bundled"
    return not bundled.is_dir() or any(bundled.glob("pip-*.whl"))


def ensure_venv() -> Path:
    python = venv_python()
    if venv_works(python):
        return python
    if VENV.exists():
        say(f"the virtual environment in {VENV} is broken or half-made (its python does not "
            "start or has no pip); building it again")
    if not _has_ensurepip() and sys.platform.startswith("linux"):
        apt_install([f"python{PY_MINOR}-venv"], f"a virtual environment for Python {PY_MINOR}")
    say(f"creating the virtual environment in {VENV}")
    try:
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    except (subprocess.CalledProcessError, OSError) as error:
        shutil.rmtree(VENV, ignore_errors=True)  # never leave a half-made .venv behind
        raise SetupError(f"creating {VENV} failed ({error}); on Debian/Ubuntu install "
                         f"python{PY_MINOR}-venv, elsewhere a Python with venv and ensurepip") from None
    if not venv_works(python):
        shutil.rmtree(VENV, ignore_errors=True)
        raise SetupError(f"the new virtual environment in {VENV} has no working pip; "
                         f"on Debian/Ubuntu install python{PY_MINOR}-venv and run this again")
    return python


def pip_install(python: Path, extras: str) -> None:
    target = f".[{extras}]" if extras else "."
    say(f"installing Report Capture and its dependencies ({target}) into .venv")
    quiet = ["--quiet", "--disable-pip-version-check"]
    run([str(python), "-m", "pip", "install", *quiet, "--upgrade", "pip"])
    run([str(python), "-m", "pip", "install", *quiet, "--editable", target], cwd=ROOT)


# --- commands -------------------------------------------------------------------------------------

def start(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME_PACKAGES, "Qt's runtime libraries")
    python = ensure_venv()
    pip_install(python, "")
    say("starting Report Capture")
    return subprocess.run([str(python), "-m", "capture_app", *args], cwd=ROOT).returncode


def test_packages() -> list[str]:
    packages = QT_RUNTIME_PACKAGES + TEST_PACKAGES
    if not shutil.which("setpriv"):
        packages.append(SETPRIV_PACKAGE)
    if system_python():  # the frozen build links Debian's Python's shared library
        packages.append(f"libpython{PY_MINOR}")
    return packages


def pytest_run(python: Path, args: list[str], *, label: str, results: Path | None = None,
               env: dict[str, str] | None = None, prefix: list[str] | None = None) -> int:
    say(label)
    command = [*(prefix or []), str(python), "-m", "pytest", *args]
    if results is not None:
        command += ["--junitxml", str(results)]
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    if code == 5:  # pytest: no tests were collected — a broken selection, not a success
        say(f"{label}: pytest collected no tests")
        return 1
    return code


def gate_run(python: Path, module: str, args: list[str], *, label: str, results: Path) -> int:
    """A lint or type gate (ruff, mypy) as one stage: its findings on the console, and a
    one-test JUnit file so that the summary counts it like the pytest stages."""
    say(label)
    code = subprocess.run([str(python), "-m", module, *args], cwd=ROOT).returncode
    failure = "" if code == 0 else f'<failure message="{module} reported findings (exit {code})"/>'
    results.write_text(f'<testsuite name="{module}" tests="1" failures="{int(code != 0)}" '
                       f'errors="0" skipped="0"><testcase name="{module}">{failure}</testcase>'
                       "</testsuite>", encoding="utf-8")
    return code


def counts(results: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML file; a missing file counts as one failure."""
    try:
        root = ElementTree.parse(results).getroot()
    except (OSError, ElementTree.ParseError):
        return 0, 1, 0
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def faketime_env(python: Path, instant: str, zone: str) -> dict[str, str] | None:
    """The environment that moves the system clock of the test process (libfaketime)."""
    found = subprocess.run([str(python), "-c", "import libfaketime, os; "
                            "print(os.path.join(libfaketime._get_lib_path(), 'libfaketime.so.1'))"],
                           capture_output=True, text=True)
    library = Path(found.stdout.strip())
    if found.returncode != 0 or not library.is_file():
        return None
    # As an offset from now: libfaketime would read an absolute "@..." in the run's time zone.
    target = datetime.strptime(instant, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    offset = math.ceil((target - datetime.now(timezone.utc)).total_seconds())  # never before it
    env = dict(os.environ, TZ=zone, FAKETIME=f"{offset:+d}", LD_PRELOAD=str(library),
               # timeouts and sleeps keep real time; only the calendar clock moves
               DONT_FAKE_MONOTONIC="1", FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")
    check = subprocess.run([str(python), "-c", "import time; time.sleep(0.01); print(time.time())"],
                           capture_output=True, text=True, env=env)
    try:
        moved = abs(float(check.stdout) - target.timestamp()) < 120
    except ValueError:
        moved = False
    return env if moved else None


def test(args: list[str]) -> int:
    ensure_system_packages(test_packages(), "the test suite")
    python = ensure_venv()
    pip_install(python, "test")
    if args:
        return pytest_run(python, args, label="running pytest " + " ".join(args))

    stages: list[tuple[str, int, Path]] = []
    out = Path(tempfile.mkdtemp(prefix="report-capture-tests-"))
    say(f"today is {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; test results in {out}")

    # 0. the lint and type gates (rules in pyproject.toml: [tool.ruff], [tool.mypy])
    for module, gate_args in (("ruff", ["check", "capture_app", "tests", "benchmarks", "tools", "packaging"]),
                              ("mypy", [])):
        results = out / f"{module}.xml"
        code = gate_run(python, module, gate_args, label=f"the {module} gate", results=results)
        stages.append((module, code, results))

    # 1. everything, in random order (pytest-randomly prints the seed; replay an order with
    #    `python3 dev.py test --randomly-seed=N`), on every core
    results = out / "suite.xml"
    code = pytest_run(python, ["-n", "auto", "--dist", "loadfile"],
                      label="the whole suite, random order, in parallel", results=results)
    stages.append(("whole suite", code, results))

    # 2. tests about file permissions: as root they need root's privileges taken away
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("setpriv"):
        results = out / "unprivileged.xml"
        code = pytest_run(python, ["-m", "permissions"],
                          label="the permission tests without root's privileges (setpriv)",
                          results=results,
                          prefix=["setpriv", "--bounding-set=-all", "--inh-caps=-all",
                                  "--ambient-caps=-all", "--no-new-privs"])
        stages.append(("without root's privileges", code, results))

    # 3. the time-sensitive tests at other instants and in other time zones
    if sys.platform.startswith("linux"):
        for index, (instant, what, zone) in enumerate(FAKED_CLOCKS):
            env = faketime_env(python, instant, zone)
            results = out / f"clock-{index}.xml"
            if env is None:
                say(f"libfaketime cannot move the clock here: the run at {instant} failed")
                stages.append((f"clock {instant}", 1, results))
                continue
            code = pytest_run(python, [*CLOCK_TESTS, "-m", "not slow"],
                              label=f"the time-sensitive tests at {instant} UTC ({what}), TZ={zone}",
                              results=results, env=env)
            stages.append((f"clock {instant} UTC, TZ={zone}", code, results))

    say("summary:")
    total = [0, 0, 0]
    for name, code, results in stages:
        passed, failed, skipped = counts(results)
        if code != 0 and failed == 0:
            failed = 1  # a run that failed without a failing test (collection, crash)
        total = [total[0] + passed, total[1] + failed, total[2] + skipped]
        say(f"  {name}: {passed} passed, {failed} failed, {skipped} skipped (exit {code})")
    print(f"dev.py: {total[0]} passed, {total[1]} failed, {total[2]} skipped", flush=True)
    return 0 if all(code == 0 for _, code, _ in stages) else 1


def main() -> int:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"[dev.py] Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is needed; "
                 f"this is {sys.version.split()[0]}")
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "test"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    try:
        return start(rest) if command == "start" else test(rest)
    except SetupError as error:
        print(f"[dev.py] {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
