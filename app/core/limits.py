"""The request size limit: the figure upload forms state, and a 413 the client gets to read.

When a request is larger than MAX_CONTENT_LENGTH, Werkzeug refuses it before reading a byte of the
body. Answering then and closing the connection with the body still arriving makes the client's
TCP stack reset it: the browser shows its own connection error, never the answer. So the rest of
the body is read and thrown away first (up to DRAIN_MAX_BYTES and DRAIN_MAX_SECONDS; beyond
those the connection is simply closed) and the client, done sending, reads the 413 page.
"""

from __future__ import annotations

import errno
import time

from flask import current_app, request

MIB = 1024 * 1024
DRAIN_MAX_BYTES = 64 * MIB
DRAIN_MAX_SECONDS = 30
_CHUNK = 64 * 1024


def upload_limit_mb() -> int:
    """The largest request in MB, as the upload forms and the 413 page state it."""
    return int(current_app.config["MAX_CONTENT_LENGTH"]) // MIB


def too_large_message() -> str:
    """Why the request was refused: too large a file, or (within the size) too long a form."""
    length, limit = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
    if length is None or limit is None or length > limit:
        return f"上传的文件过大：一次上传不能超过 {upload_limit_mb()} MB，请压缩或拆分后重新上传"
    return "提交的内容过长，请精简后重新提交"


def drain_body() -> int:
    """Read and discard what is left of the request body (bounded); return the bytes read."""
    stream, budget = _rest_of_body()
    if stream is None or budget > DRAIN_MAX_BYTES:
        return 0
    deadline = time.monotonic() + DRAIN_MAX_SECONDS
    drained = 0
    try:
        while drained < budget and time.monotonic() < deadline:
            chunk = stream.read(min(_CHUNK, budget - drained))
            if not chunk:
                break
            drained += len(chunk)
    except (OSError, ValueError):  # the client went away: nothing left to answer
        pass
    return drained


def _rest_of_body():
    """(stream, at most how many bytes) still to read, or (None, 0) when that cannot be known."""
    environ = request.environ
    length, limit = request.content_length, request.max_content_length
    if environ.get("wsgi.input_terminated"):  # chunked: the server marks the end itself
        return environ.get("wsgi.input"), DRAIN_MAX_BYTES
    if length is None:
        return None, 0
    if limit is not None and length > limit:  # refused before anything was read
        return environ.get("wsgi.input"), length
    return request.stream, length  # a form part too long: the stream knows where it stopped


# The storage limit: a full (or read-only) disk under the upload folder.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
STORAGE_FULL = (
    "服务器存储空间不足（或存储不可写），本次提交没有保存任何内容；请稍后再试，并告知系统管理员"
)


def storage_full(error: BaseException) -> bool:
    """True for an OSError that means the disk is full or not writable."""
    return isinstance(error, OSError) and error.errno in STORAGE_ERRNOS
