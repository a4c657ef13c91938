"""Tests about file permissions need a process that file permissions apply to.

Root reads and writes past them, so as root such a test would prove nothing. These tests carry
``@needs_permissions``: they run wherever permissions apply, and ``python3 dev.py test`` run as
root runs them once more with root's privileges taken away (``setpriv`` with an empty capability
bounding set), so every one of them executes in CI.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest


def permissions_apply() -> bool:
    """Whether this process is refused a file it has no permission for (false for root with its
    privileges, and on Windows, where POSIX modes do not decide access)."""
    if os.name == "nt":
        return False
    with tempfile.TemporaryDirectory(prefix="permission-probe-") as folder:
        probe = Path(folder) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return True
        finally:
            probe.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return False


def needs_permissions(test):
    """Mark a test as one about file permissions (see the module's docstring)."""
    test = pytest.mark.permissions(test)
    return pytest.mark.skipif(not permissions_apply(),
                              reason="file permissions do not apply to this process (root): "
                                     "dev.py test runs it without root's privileges")(test)
