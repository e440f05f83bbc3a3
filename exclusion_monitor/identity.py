"""Who is using the app: the operating-system account from the platform's own API.

Environment variables (USERNAME, USER) are not used: anyone can set them.
"""

from __future__ import annotations

import os
import sys


def os_account() -> str:
    """The signed-in account: DOMAIN\\user on Windows, the login name elsewhere."""
    if sys.platform == "win32":
        return _windows_account()
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _windows_account() -> str:  # pragma: no cover - exercised with mocks in tests
    import ctypes
    from ctypes import wintypes

    name_sam_compatible = 2  # EXTENDED_NAME_FORMAT NameSamCompatible: DOMAIN\user
    size = wintypes.ULONG(0)
    secur32 = ctypes.WinDLL("secur32")  # type: ignore[attr-defined]
    secur32.GetUserNameExW(name_sam_compatible, None, ctypes.byref(size))
    buffer = ctypes.create_unicode_buffer(size.value or 256)
    if not secur32.GetUserNameExW(name_sam_compatible, buffer, ctypes.byref(size)):
        advapi32 = ctypes.WinDLL("advapi32")  # type: ignore[attr-defined]
        length = wintypes.DWORD(257)
        buffer = ctypes.create_unicode_buffer(length.value)
        if not advapi32.GetUserNameW(buffer, ctypes.byref(length)):
            raise OSError("Windows did not say who is signed in")
    return str(buffer.value)
