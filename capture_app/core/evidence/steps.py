"""The step recorder: clicks, typing, shortcuts and comments become numbered steps.

The platform's global hooks (:mod:`capture_app.core.evidence.step_hooks`) call
:meth:`StepRecorder.click` and :meth:`StepRecorder.key` on their own thread. Those calls only put
the event into a queue, so the agent never feels the recorder; one worker thread turns events
into steps: it looks up the window under the click, grabs the monitor clicked on, marks the
click, writes the picture into the draft's attachments at once (memory stays flat) and hands
the step to ``on_step`` — which saves it with the draft, so a crash keeps the steps so far.

Privacy: typing becomes "Eingabe in ‹Fenster›" with the number of keys; the keys themselves are
never kept. A key counts as a shortcut only while Ctrl, Alt or Super is held (AltGr and Shift
type characters). Clicks and keys in the app's own windows are not recorded.

Bounds: at most ``max_steps`` steps and ``max_seconds`` of recording (pauses not counted);
clicks closer together than the capture rate (``min_interval``) are counted into the step
before them instead of each taking a picture.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Protocol

from capture_app.core.evidence import png
from capture_app.core.evidence.screenshot import Capture
from capture_app.core.platform.fsutil import sanitize_filename
from capture_app.core.platform.i18n import has, tr
from capture_app.core.report.model import EvidenceItem, Report, Step, iso, new_id

# (report_id, item_id, bytes) -> (size, sha256): DraftStore.store_attachment.
StoreFn = Callable[[str, str, bytes], "tuple[int, str]"]
# A step ready (or changed: the same number again) and its new picture item, if any.
StepFn = Callable[[Step, "EvidenceItem | None"], None]

MODIFIERS = ("ctrl", "alt", "shift", "super")
_MODIFIER_LABELS = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "super": "Super"}
# Keys that name an action on their own (F5, Esc) rather than typing a character.
_NAMED_ALONE = {f"f{n}" for n in range(1, 25)} | {"esc", "print_screen", "menu"}
_KEY_LABELS = {"esc": "Esc", "tab": "Tab", "enter": "Enter", "space": "Space",
               "backspace": "Backspace", "delete": "Del", "insert": "Ins", "home": "Home",
               "end": "End", "page_up": "PgUp", "page_down": "PgDn", "left": "Left",
               "right": "Right", "up": "Up", "down": "Down", "print_screen": "Print",
               "menu": "Menu"}
SWITCH_INTERVAL = 0.0005  # seconds, while recording
MARKER_RADIUS = 16
MARKER_WIDTH = 4
MARKER_BGRA = (0x00, 0x00, 0xE0, 0xFF)  # red, drawn into the picture


@dataclass(frozen=True)
class StepLimits:
    max_steps: int = 100
    max_seconds: float = 15 * 60
    min_interval: float = 0.5  # seconds: the capture rate

    @classmethod
    def from_config(cls, config: Any) -> StepLimits:
        return cls(max_steps=int(config.get("steps.max_steps")),
                   max_seconds=float(config.get("steps.max_minutes")) * 60,
                   min_interval=float(config.get("steps.min_interval_ms")) / 1000)


@dataclass(frozen=True)
class WindowInfo:
    title: str = ""
    application: str = ""
    pid: int = 0


@dataclass(frozen=True)
class Shot:
    """The monitor clicked on: its picture and its number (from 1)."""

    capture: Capture
    monitor: int
    scale: float = 1.0  # picture pixels per desktop unit (2.0: a macOS Retina monitor)


class StepPlatform(Protocol):
    """What the recorder needs from the desktop (``step_windows`` has one per desktop)."""

    def window_at(self, x: int, y: int) -> WindowInfo: ...
    def active_window(self) -> WindowInfo: ...
    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]: ...
    def grab_monitor_at(self, x: int, y: int) -> Shot: ...


# --- naming ---------------------------------------------------------------------------------

def key_label(name: str) -> str:
    if len(name) == 1:
        return name.upper()
    if name in _KEY_LABELS:
        return _KEY_LABELS[name]
    return name.upper() if name.startswith("f") and name[1:].isdigit() else name.title()


def shortcut_name(held: set[str] | frozenset[str], key: str) -> str:
    """``Ctrl+Shift+T``, ``Alt+Tab``: modifiers in a fixed order, then the key."""
    parts = [_MODIFIER_LABELS[m] for m in MODIFIERS if m in held]
    return "+".join([*parts, key_label(key)])


def shortcut_label(shortcut: str, language: str | None = None) -> str:
    """A stored shortcut (``Ctrl+Shift+Del``) as the reader's keyboard names it (``Strg+Umschalt+Entf``)."""
    parts = []
    for part in shortcut.split("+"):
        key = f"steps.key_{part.lower()}"
        parts.append(tr(key, language=language) if has(key, language) else part)
    return "+".join(parts)


def describe(step: Step, language: str | None = None) -> str:
    """One step as a sentence for the report and the step list."""
    where = step.window_title or step.application or tr("steps.unknown_window", language=language)
    if step.kind == "comment":
        return tr("steps.text_comment", language=language, comment=step.comment)
    if step.kind == "typing":
        return tr("steps.text_typing_one" if step.keys == 1 else "steps.text_typing",
                  language=language, window=where, keys=step.keys)
    if step.kind == "shortcut":
        return tr("steps.text_shortcut", language=language, window=where,
                  shortcut=shortcut_label(step.shortcut, language))
    action = tr(_click_key(step), language=language, clicks=step.clicks)
    if step.element_name:
        element = step.element_name if not step.element_role else tr(
            "steps.element_with_role", language=language, name=step.element_name,
            role=step.element_role)
        return tr("steps.text_click_element", language=language, action=action,
                  element=element, window=where)
    return tr("steps.text_click", language=language, action=action, window=where)


def _click_key(step: Step) -> str:
    if step.button == "right":
        return "steps.right_click"
    if step.button == "middle":
        return "steps.middle_click"
    return {1: "steps.click", 2: "steps.double_click"}.get(step.clicks, "steps.many_clicks")


def steps_text(report: Report, language: str | None = None) -> str:
    """The recorded steps as the numbered list the "Schritte bis zum Fehler" field takes."""
    return "\n".join(f"{n}. {describe(step, language)}" for n, step in enumerate(report.steps, 1))


# --- the picture ----------------------------------------------------------------------------

def mark_click(capture: Capture, x: int, y: int, scale: float = 1.0) -> bytes:
    """The capture's BGRA pixels with a ring around desktop point (x, y), burnt in."""
    pixels = bytearray(capture.pixels)
    cx, cy = round((x - capture.left) * scale), round((y - capture.top) * scale)
    outer, inner = MARKER_RADIUS ** 2, (MARKER_RADIUS - MARKER_WIDTH) ** 2
    colour = bytes(MARKER_BGRA)
    stride = capture.width * 4
    for dy in range(-MARKER_RADIUS, MARKER_RADIUS + 1):
        row = cy + dy
        if not 0 <= row < capture.height:
            continue
        for dx in range(-MARKER_RADIUS, MARKER_RADIUS + 1):
            col = cx + dx
            if 0 <= col < capture.width and inner <= dx * dx + dy * dy <= outer:
                at = row * stride + col * 4
                pixels[at:at + 4] = colour
    return bytes(pixels)


def picture_filename(number: int) -> str:
    return sanitize_filename(tr("steps.picture_file", number=f"{number:03d}"),
                             fallback=f"step-{number:03d}.png")


def store_picture(report_id: str, step: Step, shot: Shot, store_fn: StoreFn) -> EvidenceItem:
    """Encode the marked picture and write it into the draft's attachments; its item."""
    capture = shot.capture
    data = png.encode(capture.width, capture.height,
                      mark_click(capture, step.x, step.y, shot.scale), layout="BGRA")
    item_id = new_id()
    size, sha256 = store_fn(report_id, item_id, data)
    return EvidenceItem(id=item_id, kind="step", filename=picture_filename(step.number),
                        media_type="image/png", size=size, sha256=sha256,
                        title=tr("steps.picture_title", number=step.number), added_at=step.at)


# --- changing the recorded list -------------------------------------------------------------

def add_step(report: Report, step: Step, item: EvidenceItem | None) -> None:
    """Put a step from the recorder into the report (a step with a known number is replaced)."""
    if item is not None and report.evidence_item(item.id) is None:
        report.evidence.append(item)
    for index, existing in enumerate(report.steps):
        if existing.number == step.number:
            report.steps[index] = step
            break
    else:
        report.steps.append(step)
    report.touch()


def delete_steps(report: Report, numbers: set[int] | frozenset[int]) -> list[str]:
    """Remove steps (and their pictures) and number the rest 1, 2, …; the removed picture ids."""
    gone = [s.picture for s in report.steps if s.number in numbers and s.picture]
    report.steps = [s for s in report.steps if s.number not in numbers]
    report.evidence = [e for e in report.evidence if e.id not in gone]
    renumber(report)
    report.touch()
    return gone


def renumber(report: Report) -> None:
    """Steps numbered 1, 2, … in list order; each picture's name and title follow its number."""
    for number, step in enumerate(report.steps, 1):
        step.number = number
        item = report.evidence_item(step.picture) if step.picture else None
        if item is not None:
            item.filename = picture_filename(number)
            item.title = tr("steps.picture_title", number=number)


# --- the recorder ---------------------------------------------------------------------------

_STOP = object()
_switching = {"recorders": 0, "interval": 0.0}
_switching_lock = threading.Lock()


def _quick_switching(on: bool) -> None:
    """While any recorder runs, Python switches threads every 0.5 ms instead of 5 ms: the hooks'
    thread waits for the interpreter lock while the worker encodes a picture, and a shorter
    interval lets it in sooner, so a click or a key is never held up."""
    with _switching_lock:
        if on:
            if _switching["recorders"] == 0:
                _switching["interval"] = sys.getswitchinterval()
                sys.setswitchinterval(min(_switching["interval"], SWITCH_INTERVAL))
            _switching["recorders"] += 1
        elif _switching["recorders"] > 0:
            _switching["recorders"] -= 1
            if _switching["recorders"] == 0:
                sys.setswitchinterval(_switching["interval"])


class StepRecorder:
    """Events in (from any thread), steps out (on the worker thread, through ``on_step``).

    ``state`` is ``"idle"`` → ``"recording"`` ⇄ ``"paused"`` → ``"stopped"``; ``stop_reason``
    says why recording ended (``"agent"``, ``"max_steps"``, ``"max_time"``).
    """

    def __init__(self, report_id: str, platform: StepPlatform, store_fn: StoreFn, on_step: StepFn,
                 *, limits: StepLimits | None = None, first_number: int = 1,
                 own_pid: int | None = None, on_stopped: Callable[[str], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.report_id = report_id
        self.platform = platform
        self.store_fn = store_fn
        self.on_step = on_step
        self.on_stopped = on_stopped
        self.on_error = on_error  # a click or key that could not become a step (worker thread)
        self.limits = limits or StepLimits()
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self.clock, self.monotonic = clock, monotonic
        self.state = "idle"
        self.stop_reason = ""
        self.next_number = first_number
        self.count = 0  # steps recorded in this session
        self._events: queue.Queue[Any] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._held: set[str] = set()
        self._last_click: tuple[float, Step] | None = None
        self._typing: Step | None = None
        self._typing_pid = 0
        self._elapsed = 0.0
        self._resumed_at = 0.0
        self.errors: list[BaseException] = []

    # -- control (UI thread)

    def start(self) -> None:
        if self.state != "idle":
            return
        self.state = "recording"
        self._resumed_at = self.monotonic()
        _quick_switching(True)
        self._worker = threading.Thread(target=self._run, name="step-recorder", daemon=True)
        self._worker.start()

    def pause(self) -> None:
        if self.state == "recording":
            self.state = "paused"
            self._elapsed += self.monotonic() - self._resumed_at
            self._events.put(("flush",))

    def resume(self) -> None:
        if self.state == "paused":
            self._resumed_at = self.monotonic()
            self.state = "recording"

    def elapsed(self) -> float:
        """Seconds recorded so far, pauses not counted."""
        running = self.monotonic() - self._resumed_at if self.state == "recording" else 0.0
        return self._elapsed + running

    def check_time(self) -> bool:
        """Stop when the time limit is reached (the control's clock calls this); True if stopped."""
        if self.state in ("recording", "paused") and self.elapsed() >= self.limits.max_seconds:
            self._finish("max_time")
            return True
        return False

    def stop(self, timeout: float = 30.0) -> None:
        """End recording; waits until every event already given has become a step."""
        if self.state == "idle":
            self.state = "stopped"
        self._finish("agent")  # nothing if it has ended already (a limit)
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout)

    def _finish(self, reason: str) -> None:
        if self.state == "stopped":
            return
        if self.state == "recording":
            self._elapsed += self.monotonic() - self._resumed_at
        self.state = "stopped"
        self.stop_reason = reason
        self._events.put(_STOP)

    def comment(self, text: str) -> None:
        text = text.strip()
        if text and self.state in ("recording", "paused"):
            self._events.put(("comment", text, self.clock()))

    # -- hooks (their own thread: nothing here may take time)

    def click(self, x: int, y: int, button: str = "left", when: float | None = None) -> None:
        """``when``: the click's own time in seconds where the desktop gives one (X11's server
        time), so clicks are told apart by when they happened, not by when they arrived."""
        if self.state == "recording":
            moment = self.monotonic() if when is None else when
            self._events.put(("click", x, y, button, moment, self.clock()))

    def key(self, name: str, pressed: bool = True) -> None:
        if self.state == "recording" or (not pressed and self.state != "idle"):
            self._events.put(("key", name, pressed, self.clock()))

    # -- the worker

    def _run(self) -> None:
        while True:
            event = self._events.get()
            if event is _STOP:
                break
            try:
                getattr(self, f"_on_{event[0]}")(*event[1:])
            except Exception as exc:  # noqa: BLE001 - one failed step must not end recording
                self.errors.append(exc)
                if self.on_error is not None:
                    self.on_error(exc)
        self._flush_typing()
        _quick_switching(False)
        close = getattr(self.platform, "close", None)
        if close is not None:
            try:
                close()  # its display connections belong to this thread
            except Exception as exc:  # noqa: BLE001 - a display that went away first
                self.errors.append(exc)
        if self.on_stopped is not None:
            self.on_stopped(self.stop_reason)

    def _new_step(self, kind: str, at: datetime, **fields: Any) -> Step | None:
        if self.count >= self.limits.max_steps:
            self._finish("max_steps")
            return None
        step = Step(number=self.next_number, kind=kind, at=iso(at), **fields)
        self.next_number += 1
        self.count += 1
        return step

    def _emit(self, step: Step, item: EvidenceItem | None = None) -> None:
        self.on_step(replace(step), item)
        if self.count >= self.limits.max_steps:
            self._finish("max_steps")

    def _on_flush(self) -> None:
        self._flush_typing()

    def _on_comment(self, text: str, at: datetime) -> None:
        self._flush_typing()
        step = self._new_step("comment", at, comment=text)
        if step is not None:
            self._emit(step)

    def _on_click(self, x: int, y: int, button: str, when: float, at: datetime) -> None:
        last = self._last_click
        if last is not None and when - last[0] < self.limits.min_interval \
                and last[1].button == button:
            # Faster than the capture rate: counted into the step before, no new picture.
            self._last_click = (when, last[1])
            last[1].clicks += 1
            self._emit(last[1])
            return
        window = self.platform.window_at(x, y)
        if window.pid == self.own_pid:
            return  # the app's own windows (the recorder's control) are not steps
        self._flush_typing()
        shot = self.platform.grab_monitor_at(x, y)  # first: the screen may change after a click
        name, role = self.platform.element_at(x, y, window)
        step = self._new_step("click", at, x=x, y=y, button=button, monitor=shot.monitor,
                              window_title=window.title, application=window.application,
                              element_name=name, element_role=role)
        if step is None:
            return
        item = store_picture(self.report_id, step, shot, self.store_fn)
        step.picture = item.id
        self._last_click = (when, step)
        self._emit(step, item)

    def _on_key(self, name: str, pressed: bool, at: datetime) -> None:
        if name in MODIFIERS or name == "alt_gr":
            if pressed:
                self._held.add(name)
            else:
                self._held.discard(name)
            return
        if not pressed:
            return
        window = self.platform.active_window()
        if window.pid == self.own_pid:
            return  # typing a comment into the control
        commanding = self._held & {"ctrl", "alt", "super"}
        if commanding or name in _NAMED_ALONE:
            self._flush_typing()
            step = self._new_step("shortcut", at, shortcut=shortcut_name(self._held, name),
                                  window_title=window.title, application=window.application)
            if step is not None:
                self._emit(step)
            return
        self._type_into(window, at)

    def _type_into(self, window: WindowInfo, at: datetime) -> None:
        typing = self._typing
        if typing is not None and (typing.window_title, self._typing_pid) != (window.title, window.pid):
            self._flush_typing()
            typing = None
        if typing is None:
            typing = self._new_step("typing", at, window_title=window.title,
                                    application=window.application)
            if typing is None:
                return
            self._typing, self._typing_pid = typing, window.pid
        typing.keys += 1
        self.on_step(replace(typing), None)  # saved as it grows: a crash keeps the count so far

    def _flush_typing(self) -> None:
        typing, self._typing = self._typing, None
        if typing is not None:
            self._emit(typing)
