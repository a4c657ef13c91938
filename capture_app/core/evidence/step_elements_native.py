"""The element under a click on Windows (UI Automation) and macOS (Accessibility) — best effort.

Like AT-SPI on Linux (``step_elements``): what a screen reader would say about the clicked
control, its name ("Speichern") and its role in the system's language ("Schaltfläche" on a German
Windows, "Taste" on a German Mac). The space between controls (panes, groups, scroll areas,
windows) is no element. Anything missing gives no element, never an error: the step still has
its window and picture.

* **Windows** — ``IUIAutomation::ElementFromPoint``, then the element's ``CurrentName``,
  ``CurrentLocalizedControlType`` and ``CurrentControlType`` (comtypes; COM is initialised for
  the lookup thread, multithreaded as UI Automation clients should be).
* **macOS** — ``AXUIElementCopyElementAtPosition`` on the system-wide element (messaging
  timeout 0.5 s), then ``AXRole``, ``AXRoleDescription`` and the name: ``AXTitle``, else
  ``AXDescription`` (buttons with only an icon), else ``AXValue`` where it is text and the
  element is no text entry (what was typed never becomes a step's text). It needs the
  Accessibility permission; without it (``AXIsProcessTrusted``) nothing is read and nothing is
  asked.

Every lookup runs on a thread of its own (:class:`BoundedLookup`) and is waited for at most
0.5 s: a program that hangs, or the first use loading UI Automation's type library, costs that
click its element, never the recording. While a lookup still hangs, further clicks get no element
at once instead of queueing behind it.
"""
from __future__ import annotations

import queue
import sys
import threading
from typing import Any, Protocol

BUDGET = 0.5  # seconds a click waits for its element

# UI Automation control type ids (UIAutomationClient.h) of the space between controls.
UIA_PANE, UIA_GROUP, UIA_WINDOW = 50033, 50026, 50032
_UIA_CONTAINERS = frozenset({UIA_PANE, UIA_GROUP, UIA_WINDOW})
_COINIT_MULTITHREADED = 0x0

AX_SUCCESS = 0  # kAXErrorSuccess (AXError.h)
_AX_CONTAINERS = frozenset({"AXGroup", "AXScrollArea", "AXLayoutArea", "AXWindow",
                            "AXApplication", "AXUnknown"})
_AX_TEXT_ENTRY = frozenset({"AXTextField", "AXTextArea", "AXComboBox"})


def _clean(name: Any, role: Any) -> tuple[str, str]:
    return str(name or "").strip()[:200], str(role or "").strip()[:80]


class ElementReader(Protocol):
    """Reads one element; called only on the lookup's own thread."""

    def read(self, x: int, y: int) -> tuple[str, str]: ...
    def close(self) -> None: ...


class _Answer:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value = ("", "")


class BoundedLookup:
    """Runs a reader on one daemon thread of its own and waits at most ``budget`` seconds."""

    def __init__(self, reader: ElementReader, budget: float = BUDGET) -> None:
        self._reader = reader
        self._budget = budget
        self._requests: queue.SimpleQueue[tuple[int, int, _Answer] | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def element_at(self, x: int, y: int) -> tuple[str, str]:
        if not self._idle.is_set():
            return "", ""  # the lookup before still hangs
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="step-elements", daemon=True)
            self._thread.start()
        answer = _Answer()
        self._idle.clear()
        self._requests.put((x, y, answer))
        if answer.done.wait(self._budget):
            return answer.value
        return "", ""

    def close(self) -> None:
        """Ends the thread once its lookup is done; never waits for a hanging one."""
        if self._thread is not None:
            self._requests.put(None)
            self._thread = None

    def _serve(self) -> None:
        try:
            while (request := self._requests.get()) is not None:
                x, y, answer = request
                try:
                    answer.value = self._reader.read(x, y)
                except Exception:  # noqa: BLE001 - a program that went away: no element
                    answer.value = ("", "")
                finally:
                    self._idle.set()
                    answer.done.set()
        finally:
            try:
                self._reader.close()
            except Exception:  # noqa: BLE001 - closing what may never have opened
                pass


# --- Windows --------------------------------------------------------------------------------

class UiaApi(Protocol):
    """``IUIAutomation::ElementFromPoint``: an element with ``CurrentName``,
    ``CurrentLocalizedControlType`` and ``CurrentControlType``, or None/NULL for nothing."""

    def element_from_point(self, x: int, y: int) -> Any: ...
    def close(self) -> None: ...


class UiaCalls:
    """UI Automation through comtypes, on the thread that created it."""

    _CLSID = "{ff48dba4-60ef-4201-aa87-54103eef594e}"  # CUIAutomation

    def __init__(self) -> None:
        import ctypes

        ctypes.oledll.ole32.CoInitializeEx(None, _COINIT_MULTITHREADED)  # type: ignore[attr-defined]
        if "comtypes" not in sys.modules:
            # comtypes initialises COM for the importing thread, as this flag says.
            setattr(sys, "coinit_flags", _COINIT_MULTITHREADED)  # noqa: B010 - comtypes reads it
        import comtypes.client

        client = comtypes.client.GetModule("UIAutomationCore.dll")
        self._uia: Any = comtypes.client.CreateObject(self._CLSID, interface=client.IUIAutomation)

    def element_from_point(self, x: int, y: int) -> Any:
        from ctypes import wintypes

        return self._uia.ElementFromPoint(wintypes.POINT(x, y))

    def close(self) -> None:
        import ctypes

        self._uia = None
        ctypes.oledll.ole32.CoUninitialize()  # type: ignore[attr-defined]


class WindowsElements:
    """Name and localized control type of the UI Automation element at a point."""

    def __init__(self, api: UiaApi | None = None) -> None:
        self._api = api

    def read(self, x: int, y: int) -> tuple[str, str]:
        if self._api is None:
            self._api = UiaCalls()
        element = self._api.element_from_point(x, y)
        if not element or int(element.CurrentControlType) in _UIA_CONTAINERS:
            return "", ""
        return _clean(element.CurrentName, element.CurrentLocalizedControlType)

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None


# --- macOS ----------------------------------------------------------------------------------

class AxApi(Protocol):
    """The Accessibility calls, each answering ``(AXError, value)`` as pyobjc gives them."""

    def trusted(self) -> bool: ...
    def element_at(self, x: float, y: float) -> tuple[int, Any]: ...
    def attribute(self, element: Any, name: str) -> tuple[int, Any]: ...


class AxCalls:
    """ApplicationServices through pyobjc."""

    def __init__(self) -> None:
        import ApplicationServices

        self._ax: Any = ApplicationServices
        self._system = self._ax.AXUIElementCreateSystemWide()
        # On the system-wide element the timeout holds for every element asked afterwards.
        self._ax.AXUIElementSetMessagingTimeout(self._system, BUDGET)

    def trusted(self) -> bool:
        return bool(self._ax.AXIsProcessTrusted())  # asks nothing, shows nothing

    def element_at(self, x: float, y: float) -> tuple[int, Any]:
        error, element = self._ax.AXUIElementCopyElementAtPosition(self._system, x, y, None)
        return int(error), element

    def attribute(self, element: Any, name: str) -> tuple[int, Any]:
        error, value = self._ax.AXUIElementCopyAttributeValue(element, name, None)
        return int(error), value


class MacElements:
    """Name and role description of the Accessibility element at a point (in points)."""

    def __init__(self, api: AxApi | None = None) -> None:
        self._api = api

    def _text(self, element: Any, name: str) -> str:
        assert self._api is not None
        error, value = self._api.attribute(element, name)
        return value.strip() if error == AX_SUCCESS and isinstance(value, str) else ""

    def read(self, x: int, y: int) -> tuple[str, str]:
        if self._api is None:
            self._api = AxCalls()
        if not self._api.trusted():
            return "", ""
        error, element = self._api.element_at(float(x), float(y))
        if error != AX_SUCCESS or element is None:
            return "", ""
        role = self._text(element, "AXRole")
        if role in _AX_CONTAINERS:
            return "", ""
        name = self._text(element, "AXTitle") or self._text(element, "AXDescription")
        if not name and role not in _AX_TEXT_ENTRY:
            name = self._text(element, "AXValue")
        return _clean(name, self._text(element, "AXRoleDescription"))

    def close(self) -> None:
        self._api = None
