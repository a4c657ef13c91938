"""The computer's account prefills "Meldende Person": each system asked its own way."""
from __future__ import annotations

import ctypes
import pwd
import subprocess
from types import SimpleNamespace

from capture_app.core.platform.os_account import (
    Account,
    current_account,
    from_gecos,
    macos_account,
    unix_account,
    windows_display_name,
)


def entry(name: str, gecos: str):
    return SimpleNamespace(pw_name=name, pw_gecos=gecos)


def test_unix_reads_full_name_and_work_phone_from_gecos():
    assert unix_account(lambda uid: entry("aagentin", "Anna Agentin,Raum 3,+49 30 555 01,,")) == Account(
        "Anna Agentin", "+49 30 555 01")
    assert from_gecos("Jörg Müller") == Account("Jörg Müller", "")
    assert unix_account(lambda uid: entry("root", "root")) == Account()  # a login is no name
    assert unix_account(lambda uid: (_ for _ in ()).throw(KeyError(uid))) == Account()


def test_this_computers_account_as_the_system_records_it():
    own = pwd.getpwuid(__import__("os").getuid())
    expected = from_gecos(own.pw_gecos)
    account = current_account("linux")
    assert account.phone == expected.phone
    assert account.name == ("" if expected.name == own.pw_name else expected.name)


def test_macos_asks_id_dash_f():
    calls = []

    def run(args, **kwargs):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "Anna Agentin\n", "")

    assert macos_account(run) == Account("Anna Agentin")
    assert calls == [["id", "-F"]]
    assert macos_account(lambda *a, **k: (_ for _ in ()).throw(OSError())) == Account()


class Secur32:
    """GetUserNameExW as Windows answers: first the size, then the name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def GetUserNameExW(self, kind, buffer, size):
        assert kind == 3  # NameDisplay
        size_value = ctypes.cast(size, ctypes.POINTER(ctypes.c_ulong)).contents
        if buffer is None:
            size_value.value = len(self.name) + 1
            return 0
        buffer.value = self.name
        return 1


def test_windows_display_name_through_getusernameexw():
    assert windows_display_name(Secur32("Agentin, Anna (Example Bank)")) == "Agentin, Anna (Example Bank)"
    assert windows_display_name(Secur32("")) == ""
