"""Small typed readers for TOML tables that report the file and path of any problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TreeError(ValueError):
    """The tree data is invalid. The message names the file and the path inside it."""

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.detail = message
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {message}")


class Reader:
    """Reads one table of one file; `at(...)` descends, the getters check types."""

    def __init__(self, file: str, path: str, table: object) -> None:
        self.file = file
        self.path = path
        if not isinstance(table, Mapping):
            raise TreeError(file, path, f"expected a table, found {type(table).__name__}")
        self.table: Mapping[str, Any] = table

    def fail(self, message: str, key: str | None = None) -> TreeError:
        return TreeError(self.file, self._join(key) if key else self.path, message)

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.table

    def only(self, allowed: set[str]) -> None:
        """Reject unknown fields (catches typos such as `prefernce`)."""
        for key in self.table:
            if key not in allowed:
                raise self.fail(
                    f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})", key
                )

    def at(self, key: str) -> Reader:
        if key not in self.table:
            raise self.fail("missing required table", key)
        return Reader(self.file, self._join(key), self.table[key])

    def tables(self, key: str, *, required: bool = True) -> list[Reader]:
        """An array of tables (`[[key]]`), each wrapped in a Reader."""
        if key not in self.table:
            if required:
                raise self.fail("missing required array of tables", key)
            return []
        items = self.table[key]
        if not isinstance(items, list):
            raise self.fail("expected an array of tables", key)
        return [Reader(self.file, f"{self._join(key)}[{i}]", item) for i, item in enumerate(items)]

    def children(self) -> list[tuple[str, Reader]]:
        """Sub-tables keyed by id (`[options.ssa]`)."""
        return [(k, Reader(self.file, self._join(k), v)) for k, v in self.table.items()]

    def str(self, key: str, *, required: bool = True) -> str | None:
        if key not in self.table:
            if required:
                raise self.fail("missing required text", key)
            return None
        value = self.table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail("expected non-empty text", key)
        return value

    def req_str(self, key: str) -> str:
        value = self.str(key)
        assert value is not None
        return value

    def str_list(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        if key not in self.table:
            if required:
                raise self.fail("missing required list", key)
            return ()
        value = self.table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail("expected a list of non-empty strings", key)
        if len(set(value)) != len(value):
            raise self.fail("list has duplicates", key)
        return tuple(value)

    def bool(self, key: str, *, default: bool | None = None) -> bool:
        if key not in self.table:
            if default is None:
                raise self.fail("missing required true/false", key)
            return default
        value = self.table[key]
        if not isinstance(value, bool):
            raise self.fail("expected true or false", key)
        return value

    def int(self, key: str) -> int:
        value = self.table.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail("expected a whole number", key)
        return value
