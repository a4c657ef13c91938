"""Who is logged in to this computer: the agent's name (and, where recorded, phone) as the
operating system knows them, to prefill "Meldende Person" on the first start.

* Linux and other Unix systems: the GECOS field of the account
  ("Anna Agentin,Raum 3,+49 30 555 01,," — full name, room, work phone, home phone, other).
* macOS: ``id -F`` prints the account's full name.
* Windows: ``GetUserNameExW(NameDisplay)``, the display name the domain or the Microsoft
  account gives (behind ``windows_display_name`` so a test can hand in its own library).

Nothing here fails: a name that cannot be found is "".
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NAME_DISPLAY = 3  # EXTENDED_NAME_FORMAT.NameDisplay
TIMEOUT_S = 5


@dataclass(frozen=True)
class Account:
    name: str = ""
    phone: str = ""


def from_gecos(gecos: str) -> Account:
    parts = [part.strip() for part in (gecos or "").split(",")]
    name = parts[0] if parts else ""
    phone = parts[2] if len(parts) > 2 else ""
    return Account(name=name, phone=phone)


def unix_account(getpwuid: Callable[..., Any] | None = None, uid: int | None = None) -> Account:
    try:
        import pwd

        entry = (getpwuid or pwd.getpwuid)(os.getuid() if uid is None else uid)
    except (ImportError, KeyError, OSError):
        return Account()
    account = from_gecos(entry.pw_gecos)
    # An account without a real name often carries its login there ("root"): no help.
    return Account("", account.phone) if account.name == entry.pw_name else account


def macos_account(run: Callable[..., Any] = subprocess.run) -> Account:
    try:
        result = run(["id", "-F"], capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return Account()
    return Account(result.stdout.strip() if result.returncode == 0 else "")


def windows_display_name(secur32: Any = None) -> str:
    import ctypes

    if secur32 is None:
        secur32 = ctypes.windll.secur32  # type: ignore[attr-defined]
    size = ctypes.c_ulong(0)
    secur32.GetUserNameExW(NAME_DISPLAY, None, ctypes.byref(size))
    if not size.value:
        return ""
    buffer = ctypes.create_unicode_buffer(size.value)
    if not secur32.GetUserNameExW(NAME_DISPLAY, buffer, ctypes.byref(size)):
        return ""
    return buffer.value.strip()


def current_account(platform: str = sys.platform) -> Account:
    """The logged-in person as far as this computer knows them."""
    if platform == "darwin":
        return macos_account()
    if platform.startswith("win"):
        try:
            return Account(windows_display_name())
        except (OSError, AttributeError, ValueError):
            return Account()
    return unix_account()
