"""Is there a program on this computer that dials ``tel:`` links?

Opening a ``tel:`` link "succeeds" on Linux even when nothing handles it (``xdg-open`` starts and
fails later, out of sight), so the app asks first and, without a dialler, shows the number to
copy instead. Each operating system answers differently; the answers sit behind
``tel_handler_available`` so a test can give each one its own facts.

* Linux and other free systems: ``xdg-mime query default x-scheme-handler/tel`` names the
  desktop file of the default handler, or nothing.
* Windows: the ``tel`` URL protocol is registered in the registry (a user's choice of app, or a
  ``tel`` class with a command to open it).
* macOS: FaceTime, part of the system, handles ``tel:`` (calls through a paired iPhone).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

TIMEOUT_S = 5


def linux_handler(run: Callable[..., Any] = subprocess.run, which: Callable[[str], str | None] = shutil.which) -> str:
    """The desktop file that opens ``tel:`` links, or "" when there is none."""
    tool = which("xdg-mime")
    if not tool:
        return ""
    try:
        result = run([tool, "query", "default", "x-scheme-handler/tel"], capture_output=True,
                     text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def windows_handler(registry: Any = None) -> str:
    """The registered handler of the ``tel`` protocol, or "" (``registry``: winreg's interface)."""
    if registry is None:
        import winreg as registry
    choice = r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\tel\UserChoice"
    for root, key, value in ((registry.HKEY_CURRENT_USER, choice, "ProgId"),
                             (registry.HKEY_CLASSES_ROOT, r"tel\shell\open\command", "")):
        try:
            with registry.OpenKey(root, key) as handle:
                found, _kind = registry.QueryValueEx(handle, value)
        except OSError:
            continue
        if found:
            return str(found)
    return ""


def tel_handler_available(platform: str = sys.platform, *, run: Callable[..., Any] = subprocess.run,
                          which: Callable[..., Any] = shutil.which, registry: Any = None) -> bool:
    """True when opening a ``tel:`` link would reach a program that dials it."""
    if platform == "darwin":
        return True
    if platform.startswith("win"):
        return bool(windows_handler(registry))
    return bool(linux_handler(run, which))
