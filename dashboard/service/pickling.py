"""How the store pickles its entries: pickle protocol 5, with a frame's text columns kept in their chunks.

pandas pickles a pyarrow-backed column (``ArrowExtensionArray``, the ``str`` columns of every uploaded
frame) by first concatenating its chunks into one array: a copy of the whole column (0.8 s of CPU for a
10^7-row frame, a third of storing it). Pyarrow pickles a ``ChunkedArray`` chunk by chunk, each buffer as
it is, so the pickler here hands pandas' arrays to pyarrow: the same cells, types and chunks come back.
Everything else is pickled as pickle would. One pickle per entry, as before, so objects an entry holds
twice stay one object (a dataset's kept numbers know their frame by identity,
:meth:`core.quality.ColumnNumbers.belongs_to`).

The serializers are cachelib's, with this pickler: :class:`FileSerializer` for the file cache,
:class:`RedisSerializer` for Redis (which also writes its ``!`` marker into the pickle's buffer, and reads the pickle after it, instead
of copying the whole pickle to add or drop it).
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

from cachelib.serializers import FileSystemSerializer
from cachelib.serializers import RedisSerializer as _CachelibRedisSerializer
from pandas.arrays import ArrowExtensionArray

__all__ = ["dumps", "dump", "FileSerializer", "RedisSerializer", "PROTOCOL"]

#: Pickle protocol 5 (out-of-band buffers' protocol: large buffers are written without a copy).
PROTOCOL = 5


def _arrow_array(cls: type[ArrowExtensionArray], state: dict[str, Any]) -> ArrowExtensionArray:
    """A pandas array from its attributes, its ``_pa_array`` a ChunkedArray (pandas' own ``__setstate__``
    expects one array)."""
    array = cls.__new__(cls)
    array.__dict__.update(state)
    return array


class _Pickler(pickle.Pickler):
    """pickle.Pickler, passing pandas' pyarrow-backed arrays' chunks to pyarrow as they are."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, ArrowExtensionArray) and set(vars(obj)) >= {"_pa_array", "_cache"}:
            state = dict(vars(obj))
            state["_cache"] = {}  # (recomputed when needed, as pandas' own pickle does)
            return _arrow_array, (type(obj), state)
        return NotImplemented


def dump(value: Any, file: IO[bytes]) -> None:
    """Pickle ``value`` into ``file``."""
    _Pickler(file, PROTOCOL).dump(value)


def dumps(value: Any, prefix: bytes = b"") -> bytes:
    """``prefix`` followed by the pickle of ``value``, in one buffer."""
    buffer = io.BytesIO()
    buffer.write(prefix)
    dump(value, buffer)
    return buffer.getvalue()


class FileSerializer(FileSystemSerializer):
    """cachelib's file-cache serializer with :func:`dump`."""

    def dump(self, value: Any, f: IO[bytes], protocol: int = PROTOCOL) -> None:
        try:
            dump(value, f)
        except pickle.PickleError as e:  # (as cachelib's own: the entry is then not written)
            self._warn(e)


class RedisSerializer(_CachelibRedisSerializer):
    """cachelib's Redis serializer with :func:`dumps` (integers stay plain text, for INCR), reading a
    pickle without copying it first to drop its marker."""

    def dumps(self, value: Any, protocol: int = PROTOCOL) -> bytes:
        if type(value) is int:
            return str(value).encode("ascii")
        return dumps(value, b"!")

    def loads(self, value: bytes | None) -> Any:
        if value is not None and value.startswith(b"!"):
            try:
                return pickle.loads(memoryview(value)[1:])
            except pickle.PickleError:
                return None
        return super().loads(value)
