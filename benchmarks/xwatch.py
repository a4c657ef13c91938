"""Watch an X server for windows appearing, and print when: the benchmarks' stopwatch.

    DISPLAY=:5 python benchmarks/xwatch.py

Prints ``ready`` once it listens, then one line per event, stamped on the system's monotonic
clock (``time.monotonic()``, shared by every process on the machine) the moment it is read:

    map SECONDS WINDOW NAME         a window mapped at the top level: a window manager's frame
                                    (NAME: its client's title) or an override-redirect window
    tray SECONDS WINDOW NAME        a window reparented into a tray host that ran before this
                                    watcher started (an XEmbed tray icon docked)
    paint SECONDS WINDOW NAME       the first drawing into a window created at the top level
                                    after this watcher started (NAME: its own title): the
                                    program's first frame, not the window manager's frame

Top-level windows that exist when it starts (the window manager's, the tray host) are not
reported. The first frame is seen through the X server's DAMAGE extension: each new top-level
window gets a damage object as it is created, whose first report is the first rendering into
the window (a toolkit's picture of its content; the server paints nothing for windows without a
background, as Qt's are). Uses libX11 and libXdamage through ctypes, so it needs no Python
package beyond the standard library.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import time

SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
CREATE_NOTIFY, DESTROY_NOTIFY, MAP_NOTIFY, REPARENT_NOTIFY = 16, 17, 19, 21
DAMAGE_REPORT_NON_EMPTY, DAMAGE_NOTIFY = 3, 0  # Xdamage.h: one report once something is drawn

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XSelectInput.argtypes = [ctypes.c_void_p, Window, ctypes.c_long]
x11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
x11.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                           ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
x11.XFree.argtypes = [ctypes.c_void_p]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XSetErrorHandler.argtypes = [ctypes.c_void_p]
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
xdamage = ctypes.cdll.LoadLibrary(ctypes.util.find_library("Xdamage") or "libXdamage.so.1")
xdamage.XDamageQueryExtension.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                          ctypes.POINTER(ctypes.c_int)]
xdamage.XDamageCreate.restype = ctypes.c_ulong
xdamage.XDamageCreate.argtypes = [ctypes.c_void_p, Window, ctypes.c_int]
xdamage.XDamageDestroy.argtypes = [ctypes.c_void_p, ctypes.c_ulong]


class XEvent(ctypes.Structure):
    # type, serial, send_event, display, then the event's own fields (Xlib.h, 64-bit layout)
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("event", Window), ("window", Window),
                ("third", Window), ("pad", ctypes.c_long * 20)]


def children(display, window: int) -> tuple[int, list[int]]:
    root, parent, kids, count = Window(), Window(), ctypes.POINTER(Window)(), ctypes.c_uint()
    if not x11.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent),
                          ctypes.byref(kids), ctypes.byref(count)):
        return 0, []
    found = [kids[i] for i in range(count.value)]
    if kids:
        x11.XFree(kids)
    return parent.value, found


def name(display, window: int, depth: int = 2) -> str:
    text = ctypes.c_char_p()
    if x11.XFetchName(display, window, ctypes.byref(text)) and text.value is not None:
        value = text.value.decode("utf-8", "replace")
        x11.XFree(text)
        return value
    if depth:
        for child in children(display, window)[1]:
            found = name(display, child, depth - 1)
            if found:
                return found
    return ""


def top_level(display, window: int, root: int) -> int:
    while window and window != root:
        parent, _ = children(display, window)
        if parent == root:
            return window
        window = parent
    return 0


def main() -> int:
    display = x11.XOpenDisplay(None)
    if not display:
        print("cannot open the display", file=sys.stderr)
        return 2
    x11.XSetErrorHandler(ERROR_HANDLER)  # windows vanish between an event and a query
    root = x11.XDefaultRootWindow(display)
    existing = set(children(display, root)[1])
    damage_base, damage_errors = ctypes.c_int(), ctypes.c_int()
    if not xdamage.XDamageQueryExtension(display, ctypes.byref(damage_base),
                                         ctypes.byref(damage_errors)):
        print("the X server has no DAMAGE extension", file=sys.stderr)
        return 2
    damages: dict[int, int] = {}  # window -> its damage object, until its first drawing
    x11.XSelectInput(display, root, SUBSTRUCTURE_NOTIFY_MASK)
    x11.XFlush(display)
    print("ready", flush=True)
    event = XEvent()
    while True:
        x11.XNextEvent(display, ctypes.byref(event))
        moment = time.monotonic()
        if event.type == damage_base.value + DAMAGE_NOTIFY:
            # XDamageNotifyEvent: type, serial, send_event, display, drawable, damage, …
            window, damage = event.event, event.window
            if damages.pop(window, None) is not None:
                xdamage.XDamageDestroy(display, damage)
                print(f"paint {moment:.6f} {window:#x} {name(display, window, 0)}", flush=True)
        elif event.type == CREATE_NOTIFY and event.event == root:
            # XCreateWindowEvent: …, parent (event), window: a new top-level window
            damages[event.window] = xdamage.XDamageCreate(display, event.window,
                                                          DAMAGE_REPORT_NON_EMPTY)
            x11.XFlush(display)
        elif event.type == DESTROY_NOTIFY:  # XDestroyWindowEvent: …, event, window
            damages.pop(event.window, None)  # the server frees its damage object with it
        elif event.type == MAP_NOTIFY and event.event == root and event.window not in existing:
            print(f"map {moment:.6f} {event.window:#x} {name(display, event.window)}", flush=True)
        elif (event.type == REPARENT_NOTIFY and event.event == root and event.third != root
              and top_level(display, event.third, root) in existing):
            print(f"tray {moment:.6f} {event.window:#x} {name(display, event.window)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
