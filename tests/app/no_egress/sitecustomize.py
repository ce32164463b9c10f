"""Test helper: block and record every network call of this Python process off this machine.

On ``PYTHONPATH``, Python imports this module at start-up (as ``sitecustomize``) in every
process that inherits the path: ``lewsim app`` and the Solara server it starts. An audit
hook (PEP 578) sees each connect, send, name lookup and address lookup before the system
does it. One that would leave the machine (a host that is not loopback) is written to the
file ``$LEWSIM_EGRESS_LOG`` and refused with ``PermissionError``, so the test both sees it
and sends nothing. Loopback (127.0.0.0/8, ::1, ``localhost``) and Unix sockets pass.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

_LOG = os.environ.get("LEWSIM_EGRESS_LOG")
_NAME_EVENTS = {
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.gethostbyaddr",
    "socket.getnameinfo",
}
_ADDRESS_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg"}


def _is_local(host: object) -> bool:
    if host is None:  # getaddrinfo(None, port): the local wildcard
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).split("%")[0]
    if host in ("", "localhost", "localhost.localdomain"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name other than localhost would need a lookup
    return address.is_loopback or address.is_unspecified


def _host(event: str, args: tuple) -> object:
    if event in _NAME_EVENTS:
        first = args[0]
        return first[0] if isinstance(first, tuple) else first
    sock, address = args[0], args[-1]
    if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return None  # a Unix socket or a socket pair: never leaves the machine
    return address[0] if isinstance(address, tuple) and address else None


def _hook(event: str, args: tuple) -> None:
    if event not in _NAME_EVENTS and event not in _ADDRESS_EVENTS:
        return
    host = _host(event, args)
    if _is_local(host):
        return
    line = f"{os.getpid()} {event} {host!r}\n".encode(errors="replace")
    descriptor = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)
    raise PermissionError(f"test: no network off this machine ({event} {host!r})")


if _LOG:
    sys.addaudithook(_hook)
