"""Screen capture with mss: the whole desktop, one monitor or a region, in true pixels.

Coordinates here are always physical pixels of the virtual desktop, as the display server
knows them. A toolkit's "logical" coordinates (Qt on a 150 % screen) are converted by the
caller; :func:`match_screens` tells which mss monitor a toolkit screen is.

``mss.MSS()`` holds per-thread display handles, so one is created inside every call: call
:func:`grab` from the worker thread that needs the pixels. Nothing here is slow except the grab
itself (a few milliseconds for a Full HD screen with X11's shared memory).

Where mss cannot see the screen it says so with a :class:`ScreenshotError` whose message tells
the agent what to do instead: on a Wayland session (use :mod:`capture_app.core.evidence.portal`), on macOS
without the screen-recording permission (:mod:`capture_app.core.evidence.macos_permission`), and without
any display at all.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol, cast

from capture_app.core.platform import timing
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.session import session_kind

if TYPE_CHECKING:
    from capture_app.core.evidence.macos_permission import ScreenAccessApi

# A desktop bigger than this is almost certainly misreported; grabbing it would take gigabytes.
DEFAULT_MAX_PIXELS = 100_000_000


class ScreenshotError(UserFacingError):
    """The screen could not be captured; ``message()`` says why and what to do instead."""

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Monitor:
    """One monitor in physical pixels of the virtual desktop (``index`` is mss's, from 1)."""

    index: int
    left: int
    top: int
    width: int
    height: int
    primary: bool = False
    name: str = ""

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Region:
    """A rectangle in physical pixels of the virtual desktop."""

    left: int
    top: int
    width: int
    height: int

    def check(self) -> Region:
        if self.width <= 0 or self.height <= 0:
            raise ScreenshotError("screenshot.region_empty", width=max(self.width, 0),
                                  height=max(self.height, 0))
        return self

    def clipped_to(self, left: int, top: int, width: int, height: int) -> Region:
        x0, y0 = max(self.left, left), max(self.top, top)
        x1 = min(self.left + self.width, left + width)
        y1 = min(self.top + self.height, top + height)
        return Region(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


@dataclass(frozen=True)
class Capture:
    """Captured pixels: rows of BGRA bytes (alpha unused), ``width * 4`` bytes per row.

    ``pixels`` may be the grabbing library's own buffer (a bytearray), or a read-only view of
    the memory the screenshot process filled (:mod:`capture_app.core.evidence.grab_process`):
    nothing changes it."""

    width: int
    height: int
    pixels: bytes | bytearray | memoryview
    left: int = 0  # where the image lies on the virtual desktop
    top: int = 0
    monitors: tuple[Monitor, ...] = ()
    taken_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    source: str = "mss"  # or "portal"

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def crop(self, region: Region) -> Capture:
        """The part of this capture inside ``region`` (desktop coordinates)."""
        part = region.clipped_to(self.left, self.top, self.width, self.height).check()
        x, y = part.left - self.left, part.top - self.top
        stride, row = self.width * 4, part.width * 4
        view = memoryview(self.pixels)
        rows = [view[(y + r) * stride + x * 4:(y + r) * stride + x * 4 + row]
                for r in range(part.height)]
        inside = tuple(m for m in self.monitors
                       if m.left < part.left + part.width and part.left < m.right
                       and m.top < part.top + part.height and part.top < m.bottom)
        return replace(self, width=part.width, height=part.height, pixels=b"".join(rows),
                       left=part.left, top=part.top, monitors=inside)

    def rgb(self) -> bytes:
        """The pixels as packed RGB bytes."""
        out = bytearray(self.width * self.height * 3)
        out[0::3] = self.pixels[2::4]
        out[1::3] = self.pixels[1::4]
        out[2::3] = self.pixels[0::4]
        return bytes(out)

    def to_png(self) -> bytes:
        from capture_app.core.evidence import png

        return png.encode(self.width, self.height, self.pixels, layout="BGRA")


# --- where we run ----------------------------------------------------------------------------

# --- Windows: per-monitor DPI awareness -----------------------------------------------------

class DpiApi(Protocol):
    """The few Win32 calls DPI awareness needs; each returns None when Windows lacks it."""

    def is_per_monitor_aware(self) -> bool | None: ...
    def set_per_monitor_v2(self) -> bool | None: ...
    def set_per_monitor(self) -> bool | None: ...
    def set_system_aware(self) -> bool | None: ...


class WindowsDpiApi:
    """The real calls, through ctypes (Windows 10 1703+, 8.1, Vista in that order)."""

    _PER_MONITOR_AWARE = 2
    _CONTEXT_PER_MONITOR_AWARE_V2 = -4
    _E_ACCESSDENIED = -2147024891  # 0x80070005: the awareness was already set (by Qt)

    _user32: Any  # ctypes' user32 and shcore (Windows only)
    _shcore: Any

    def __init__(self) -> None:
        import ctypes

        if sys.platform != "win32":
            raise OSError("DPI awareness is a Windows setting")
        self._ctypes = ctypes
        self._user32 = ctypes.windll.user32
        try:
            self._shcore = ctypes.windll.shcore
        except OSError:
            self._shcore = None

    def is_per_monitor_aware(self) -> bool | None:
        user32 = self._user32
        if not hasattr(user32, "GetThreadDpiAwarenessContext"):
            return None
        user32.GetThreadDpiAwarenessContext.restype = self._ctypes.c_void_p
        user32.GetAwarenessFromDpiAwarenessContext.argtypes = [self._ctypes.c_void_p]
        context = user32.GetThreadDpiAwarenessContext()
        return cast("bool | None", user32.GetAwarenessFromDpiAwarenessContext(context) == self._PER_MONITOR_AWARE)

    def set_per_monitor_v2(self) -> bool | None:
        user32 = self._user32
        if not hasattr(user32, "SetProcessDpiAwarenessContext"):
            return None
        user32.SetProcessDpiAwarenessContext.argtypes = [self._ctypes.c_void_p]
        return bool(user32.SetProcessDpiAwarenessContext(
            self._ctypes.c_void_p(self._CONTEXT_PER_MONITOR_AWARE_V2)))

    def set_per_monitor(self) -> bool | None:
        if self._shcore is None or not hasattr(self._shcore, "SetProcessDpiAwareness"):
            return None
        result = self._shcore.SetProcessDpiAwareness(self._PER_MONITOR_AWARE)
        return cast("bool | None", result == 0 or result == self._E_ACCESSDENIED)

    def set_system_aware(self) -> bool | None:
        if not hasattr(self._user32, "SetProcessDPIAware"):
            return None
        return bool(self._user32.SetProcessDPIAware())


def ensure_dpi_awareness(api: DpiApi | None = None) -> str:
    """Make the process DPI-aware so Windows hands out physical pixels, not scaled ones.

    Without it a 150 % monitor is captured at two thirds of its size and the others are cut
    off. Qt usually has done this already; then nothing is changed. Returns the level reached:
    ``already``, ``per_monitor_v2``, ``per_monitor``, ``system`` or ``unaware``.
    """
    api = api or WindowsDpiApi()
    if api.is_per_monitor_aware():
        return "already"
    for level, setter in (("per_monitor_v2", api.set_per_monitor_v2),
                          ("per_monitor", api.set_per_monitor),
                          ("system", api.set_system_aware)):
        if setter():
            return level
    return "unaware"


def require_screen_access(api: ScreenAccessApi | None = None) -> None:
    """Raise a ``ScreenshotError`` that explains how to grant the permission, if it is missing."""
    from capture_app.core.evidence.macos_permission import check_screen_access

    try:
        access = check_screen_access(api)
    except OSError:  # CoreGraphics cannot be loaded: let mss try and report its own error
        return
    if not access.granted:
        raise ScreenshotError(f"screenshot.macos_permission_{access.settings}",
                              version=access.version)


# --- grabbing --------------------------------------------------------------------------------

def _check_session(session: str) -> None:
    if session == "wayland":
        raise ScreenshotError("screenshot.wayland")
    if session == "none":
        raise ScreenshotError("screenshot.no_display", detail="DISPLAY")
    if session == "macos":
        require_screen_access()
    if session == "windows":
        ensure_dpi_awareness()


def _open(display: str | None) -> Any:
    try:
        import mss
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ScreenshotError("screenshot.failed", detail=str(exc)) from exc
    try:
        return mss.MSS(display=display) if display else mss.MSS()
    except Exception as exc:
        raise ScreenshotError("screenshot.no_display", detail=error_detail(exc)) from exc


def error_detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _monitors(sct: Any) -> tuple[Monitor, ...]:
    found = []
    for index, mon in enumerate(sct.monitors[1:], start=1):
        found.append(Monitor(index, int(mon["left"]), int(mon["top"]), int(mon["width"]),
                             int(mon["height"]), bool(mon.get("is_primary", False)),
                             str(mon.get("output") or mon.get("name") or "")))
    return tuple(found)


def list_monitors(*, display: str | None = None, session: str | None = None) -> tuple[Monitor, ...]:
    _check_session(session or session_kind())
    with _open(display) as sct:
        return _monitors(sct)


def grab(target: str | Monitor | Region | int = "desktop", *, display: str | None = None,
         session: str | None = None, max_pixels: int = DEFAULT_MAX_PIXELS,
         clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> Capture:
    """Capture the whole ``"desktop"``, a :class:`Monitor` (or its mss index) or a :class:`Region`.

    Call from a worker thread; raises :class:`ScreenshotError` with a message for the agent.
    """
    if isinstance(target, Region):
        target.check()
    _check_session(session or session_kind())
    with _open(display) as sct:
        try:
            monitors = _monitors(sct)
            desktop = sct.monitors[0]
            bounds = (int(desktop["left"]), int(desktop["top"]), int(desktop["width"]),
                      int(desktop["height"]))
            area = _area(target, monitors, bounds)
            if area.width * area.height > max_pixels:
                raise ScreenshotError("screenshot.too_large", width=area.width, height=area.height,
                                      megapixels=round(area.width * area.height / 1e6),
                                      limit_megapixels=round(max_pixels / 1e6))
            moment = clock()
            shot = sct.grab({"left": area.left, "top": area.top, "width": area.width,
                             "height": area.height})
            timing.mark("screenshot")
        except ScreenshotError:
            raise
        except Exception as exc:
            raise ScreenshotError("screenshot.failed", detail=error_detail(exc)) from exc
    width, height = shot.size
    inside = tuple(m for m in monitors
                   if m.left < area.left + width and area.left < m.right
                   and m.top < area.top + height and area.top < m.bottom)
    # mss hands over a fresh buffer of its own: used as it is, not copied (8 MB at Full HD, a
    # few milliseconds on the way from "Problem melden" to the wizard).
    return Capture(width, height, shot.raw, area.left, area.top, inside, moment)


def _area(target: Any, monitors: Sequence[Monitor], bounds: tuple[int, int, int, int]) -> Region:
    if target == "desktop":
        return Region(*bounds)
    if isinstance(target, int) and not isinstance(target, bool):
        chosen = next((m for m in monitors if m.index == target), None)
        if chosen is None:
            raise ScreenshotError("screenshot.monitor_gone", number=target, count=len(monitors))
        return Region(chosen.left, chosen.top, chosen.width, chosen.height)
    if isinstance(target, Monitor):
        # The layout may have changed since the agent chose (a projector unplugged).
        same = next((m for m in monitors if (m.left, m.top, m.width, m.height) ==
                     (target.left, target.top, target.width, target.height)), None)
        if same is None:
            raise ScreenshotError("screenshot.monitor_gone", number=target.index,
                                  count=len(monitors))
        return Region(same.left, same.top, same.width, same.height)
    if isinstance(target, Region):
        inside = target.clipped_to(*bounds)
        if inside.width <= 0 or inside.height <= 0:
            raise ScreenshotError("screenshot.region_outside")
        return inside
    raise ValueError(f"unknown capture target {target!r}")


# --- toolkit screens and mss monitors --------------------------------------------------------

@dataclass(frozen=True)
class ScreenHint:
    """What a GUI toolkit says about a screen: logical geometry and its scale factor."""

    x: int
    y: int
    width: int
    height: int
    scale: float = 1.0

    @property
    def physical_size(self) -> tuple[int, int]:
        return round(self.width * self.scale), round(self.height * self.scale)


def match_screens(hints: Sequence[ScreenHint], monitors: Sequence[Monitor]) -> list[Monitor | None]:
    """For each toolkit screen, the mss monitor it is (same order as ``hints``).

    Toolkits place scaled screens at logical positions that need not be the physical ones, so
    screens are matched by their physical size first and by their left-to-right, top-to-bottom
    order second; a screen whose size fits no monitor takes the next free one in that order.
    """
    free = sorted(monitors, key=lambda m: (m.left, m.top))
    order = sorted(range(len(hints)), key=lambda i: (hints[i].x, hints[i].y))
    result: list[Monitor | None] = [None] * len(hints)
    for i in order:
        width, height = hints[i].physical_size
        fit = next((m for m in free if abs(m.width - width) <= 1 and abs(m.height - height) <= 1),
                   None)
        if fit is not None:
            result[i] = fit
            free.remove(fit)
    for i in order:
        if result[i] is None and free:
            result[i] = free.pop(0)
    return result


# --- "the screen as it was" -----------------------------------------------------------------

class EarlyCapture:
    """A grab of the whole desktop, started before anything of ours can appear on screen.

    ``capture-app report`` starts it as its very first step, while Qt is still being imported:
    in a process of its own where it can (:mod:`capture_app.core.evidence.grab_process`), else in
    this thread; the wizard then waits for :meth:`result` before it shows itself.
    """

    def __init__(self, grab_fn: Callable[[], Capture] | None = None) -> None:
        import threading

        self._grab = grab_fn or (lambda: grab("desktop"))
        self._result: Capture | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="early-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._grab()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the result
            self._error = exc

    def discard(self) -> None:
        """Not needed after all: the thread ends by itself, its picture is dropped with it."""

    def result(self, timeout: float = 10.0) -> Capture:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise ScreenshotError("screenshot.failed", detail=f"no answer after {timeout:g} s")
        if self._error is not None:
            if isinstance(self._error, ScreenshotError):
                raise self._error
            raise ScreenshotError("screenshot.failed", detail=error_detail(self._error))
        assert self._result is not None
        return self._result


