"""Frames between a worker and its notebook shell (`pipeline.shell_kernel`): length, then JSON.

Each frame is a 4-byte big-endian length and that many bytes of JSON, packed and
unpacked by jupyter_client's own functions, so that an output's data (bytes as
base64, dates, NaN refused) is encoded exactly as in a Jupyter message.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

from jupyter_client.session import json_packer, json_unpacker

_LENGTH = struct.Struct(">I")


def send_frame(connection: socket.socket, message: dict[str, Any]) -> None:
    data = json_packer(message)
    connection.sendall(_LENGTH.pack(len(data)) + data)


def receive_frame(connection: socket.socket) -> dict[str, Any] | None:
    """The next frame, or None if the other end closed the connection between frames.

    Raises:
        ConnectionError: The connection closed inside a frame.
        TimeoutError: The socket's timeout ran out.
    """
    head = _receive_exactly(connection, _LENGTH.size)
    if head is None:
        return None
    (length,) = _LENGTH.unpack(head)
    body = _receive_exactly(connection, length)
    if body is None:
        raise ConnectionError("connection closed inside a frame")
    return json_unpacker(body)


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    if size == 0:
        return b""
    parts: list[bytes] = []
    left = size
    while left:
        part = connection.recv(min(left, 1 << 20))
        if not part:
            if parts:
                raise ConnectionError("connection closed inside a frame")
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
