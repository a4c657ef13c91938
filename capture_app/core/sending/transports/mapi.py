"""Simple MAPI on Windows: ``MAPISendMailW`` with a dialog, as "Send to → Mail recipient" does.

The default mail program (classic Outlook, Thunderbird, eM Client, HCL Notes …) registers itself
as the Simple MAPI provider; ``MAPI32.dll`` forwards the call to it. With ``MAPI_DIALOG`` the
program shows a new message with recipient, subject, text and the attachment, and the agent
sends it there.

The three structures follow ``mapi.h`` (Windows SDK) field by field. ``ULONG`` and ``FLAGS`` are
32 bits on Windows (also in 64-bit processes), so they are ``c_uint32`` here, never ``c_ulong``
(64 bits on Linux and macOS). Tests check the layouts against the documented ones on any system;
only :func:`load_send_mail` needs Windows.
"""
from __future__ import annotations

import ctypes
from collections.abc import Callable
from ctypes import POINTER, Structure, c_uint32, c_void_p, c_wchar_p
from dataclasses import dataclass
from typing import cast

ULONG = c_uint32
FLAGS = c_uint32
ULONG_PTR = ctypes.c_size_t
LHANDLE = ULONG_PTR

MAPI_LOGON_UI = 0x00000001
MAPI_DIALOG = 0x00000008
MAPI_TO = 1

SUCCESS_SUCCESS = 0
MAPI_USER_ABORT = 1
MAPI_E_FAILURE = 2
MAPI_E_LOGIN_FAILURE = 3
MAPI_E_INSUFFICIENT_MEMORY = 5
MAPI_E_TOO_MANY_SESSIONS = 8
MAPI_E_ATTACHMENT_NOT_FOUND = 11
MAPI_E_ATTACHMENT_OPEN_FAILURE = 12
MAPI_E_UNKNOWN_RECIPIENT = 14
MAPI_E_NOT_SUPPORTED = 26


class MapiRecipDescW(Structure):
    _fields_ = [
        ("ulReserved", ULONG),
        ("ulRecipClass", ULONG),
        ("lpszName", c_wchar_p),
        ("lpszAddress", c_wchar_p),
        ("ulEIDSize", ULONG),
        ("lpEntryID", c_void_p),
    ]


class MapiFileDescW(Structure):
    _fields_ = [
        ("ulReserved", ULONG),
        ("flFlags", ULONG),
        ("nPosition", ULONG),
        ("lpszPathName", c_wchar_p),
        ("lpszFileName", c_wchar_p),
        ("lpFileType", c_void_p),
    ]


class MapiMessageW(Structure):
    _fields_ = [
        ("ulReserved", ULONG),
        ("lpszSubject", c_wchar_p),
        ("lpszNoteText", c_wchar_p),
        ("lpszMessageType", c_wchar_p),
        ("lpszDateReceived", c_wchar_p),
        ("lpszConversationID", c_wchar_p),
        ("flFlags", FLAGS),
        ("lpOriginator", POINTER(MapiRecipDescW)),
        ("nRecipCount", ULONG),
        ("lpRecips", POINTER(MapiRecipDescW)),
        ("nFileCount", ULONG),
        ("lpFiles", POINTER(MapiFileDescW)),
    ]


# ULONG MAPISendMailW(LHANDLE lhSession, ULONG_PTR ulUIParam, lpMapiMessageW lpMessage,
#                     FLAGS flFlags, ULONG ulReserved)
SEND_MAIL_ARGTYPES = (LHANDLE, ULONG_PTR, POINTER(MapiMessageW), FLAGS, ULONG)
SEND_MAIL_RESTYPE = ULONG
SendMail = Callable[..., int]


@dataclass(frozen=True)
class MapiResult:
    code: int

    @property
    def handed_over(self) -> bool:
        return self.code == SUCCESS_SUCCESS

    @property
    def cancelled(self) -> bool:
        return self.code == MAPI_USER_ABORT


def load_send_mail() -> SendMail | None:
    """``MAPISendMailW`` of MAPI32.dll, or None (not Windows, no MAPI provider installed)."""
    try:
        library = ctypes.WinDLL("mapi32.dll")  # type: ignore[attr-defined]
        function = library.MAPISendMailW
    except (AttributeError, OSError):
        return None
    function.argtypes = SEND_MAIL_ARGTYPES
    function.restype = SEND_MAIL_RESTYPE
    return cast("Callable[..., int] | None", function)


def send_mail_dialog(send_mail: SendMail, recipient: str, subject: str, body: str,
                     attachment: str, attachment_name: str, window: int = 0) -> MapiResult:
    """Open the default mail program's new-message dialog with everything filled in.

    The strings stay referenced until the call returns (ctypes would free them otherwise).
    """
    keep = [recipient, subject, body, attachment, attachment_name]
    recip = MapiRecipDescW(0, MAPI_TO, recipient, "SMTP:" + recipient, 0, None)
    files = (MapiFileDescW * 1)(MapiFileDescW(0, 0, 0xFFFFFFFF, attachment, attachment_name, None))
    message = MapiMessageW(0, subject, body, None, None, None, 0, None, 1, ctypes.pointer(recip),
                           1, files)
    code = send_mail(0, window, ctypes.byref(message), MAPI_DIALOG | MAPI_LOGON_UI, 0)
    del keep
    return MapiResult(int(code))
