"""Find the grammar and build the Lark parser once per process, and keep it for the next.

The grammar's single source of truth is ``grammar/perfrules.lark`` at the top of the
checkout. The wheel carries a copy at ``perfrules/grammar/perfrules.lark``. In an
editable install the package resolves to the checkout, so the top-level file is the
fallback, and it keeps grammar edits live during development.

Building the LALR tables takes a few hundred milliseconds, so the built parser is saved
(``Lark.save``) and the next process loads it (``Lark.load``) in about 15 ms. The file lives
in ``$PERFRULES_CACHE_DIR`` if that is set, else in ``$XDG_CACHE_HOME/perfrules``, else in
``~/.cache/perfrules``; ``PERFRULES_CACHE_DIR=""`` turns the cache off. Its name carries a
hash of the grammar and the options with the Lark and Python versions, and its first line
the whole hash, which must match before the rest is unpickled. A stale file is rebuilt and
replaced; a file that cannot be read or unpickled is ignored, rebuilt and replaced; a
directory that cannot be created or written only means the parser is built each time, as it
was before there was a cache. The cache never makes a load fail. Files are written to a
temporary name and renamed, so a reader never sees half of one.

The file is a pickle, and unpickling can run code: whoever can write the file can run code
in every process that parses. The directory is therefore created with mode 0o700, and a
directory that another user owns, or that group or others may write, is not used at all.

Lark is imported when a parser is first needed, not when ``perfrules`` is imported.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lark


def grammar_text() -> str:
    package = Path(__file__).parent
    shipped = package / "grammar" / "perfrules.lark"
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    checkout = package.resolve().parent / "grammar" / "perfrules.lark"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    # Installed in a zip file. importlib.resources imports tempfile, shutil, random and
    # more (about 10 ms), so a plain installation does not import it at all.
    from importlib import resources

    return (resources.files("perfrules") / "grammar" / "perfrules.lark").read_text(encoding="utf-8")


# Every token is kept and no tree is built: ``parse_nodes.ToNodes`` makes the nodes as the
# parser reduces, and needs the keywords and brackets for the spans (see there).
_OPTIONS = {"parser": "lalr", "lexer": "contextual", "keep_all_tokens": True, "maybe_placeholders": True}
_FORMAT = "perfrules parser cache 2"  # change it when what follows the key line changes

# How each parser of this process was made, for tests and for anyone wondering why a load
# was slow: "read" from the cache, "built", then "written" to it or not; "stale" and
# "unreadable" count cache files that were there but not used (they are rebuilt and replaced).
cache_events: collections.Counter[str] = collections.Counter()


@functools.cache
def parser() -> lark.Lark:
    return _load_or_build("parser")


def _load_or_build(kind: str, **extra) -> lark.Lark:
    import lark  # here, so that `import perfrules` does not pay for Lark (about 40 ms)

    from perfrules.parse_nodes import ToNodes  # imports Lark too

    extra["transformer"] = ToNodes()  # saved with the parser, by reference to the class
    text = grammar_text()
    path, key = cache_file(kind, text)
    cached = _read(path, key) if path is not None else None
    if cached is not None:
        cache_events["read"] += 1
        return cached
    built = lark.Lark(text, **_OPTIONS, **extra)
    cache_events["built"] += 1
    if path is not None and _write(path, key, built):
        cache_events["written"] += 1
    return built


def cache_file(kind: str, text: str) -> tuple[Path | None, bytes]:
    """Where the ``kind`` parser of ``text`` is cached (None when the cache is off or unsafe),
    and the key its first line must hold."""
    import lark

    python = "%d.%d" % sys.version_info[:2]
    parts = [_FORMAT, kind, text, repr(sorted(_OPTIONS.items())), lark.__version__, python]
    key = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    directory = _cache_dir()
    if directory is None:
        return None, key.encode()
    return directory / f"{kind}-{key[:16]}-lark{lark.__version__}-py{python}.pickle", key.encode()


def _read(path: Path, key: bytes) -> lark.Lark | None:
    import lark

    try:
        with open(path, "rb") as file:
            if file.readline() != key + b"\n":
                cache_events["stale"] += 1  # another grammar, options or version: rebuilt and replaced
                return None
            return lark.Lark.load(file)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a truncated or corrupt file is rebuilt, never fatal
        cache_events["unreadable"] += 1
        return None


def _write(path: Path, key: bytes, built: lark.Lark) -> bool:
    # Lark's own ``cache=`` writes the file in place. Two processes building at once (a first
    # run under pytest-xdist) could then interleave two pickles that differ in set order; a
    # rename is atomic, so a reader sees a whole file or none.
    import tempfile  # about 5 ms, paid only by a process that builds

    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(key + b"\n")
            built.save(file)  # the transformer and lexer_callbacks are saved by reference to their code
        os.replace(temporary, path)
        return True
    except Exception:  # noqa: BLE001 - a full disk or a vanished directory only means no cache
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False


def _cache_dir() -> Path | None:
    configured = os.environ.get("PERFRULES_CACHE_DIR")
    if configured == "":
        return None
    try:
        if configured is not None:
            directory = Path(configured)
        else:
            xdg = os.environ.get("XDG_CACHE_HOME", "")
            directory = (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "perfrules"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return directory if _is_private(directory.stat()) else None
    except (OSError, RuntimeError):  # RuntimeError: Path.home() when there is no home
        return None


def _is_private(status: os.stat_result) -> bool:
    """Only this user can put files here (a pickle from anyone else could run code)."""
    if not hasattr(os, "getuid"):  # Windows: a profile directory is private by its ACL
        return True
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


# The formatter needs the comments the grammar ignores. A second parser hands each one to
# the list of the thread that is parsing; ``parser()`` itself stays as fast as before.
_sinks = threading.local()


def _keep_comment(token: lark.Token) -> lark.Token:
    sink = getattr(_sinks, "comments", None)
    if sink is not None:
        sink.append(token)
    return token


@functools.cache
def commenting_parser() -> lark.Lark:
    return _load_or_build("commenting", lexer_callbacks={"COMMENT": _keep_comment})


@contextlib.contextmanager
def collecting_comments() -> Iterator[list[lark.Token]]:
    """Collect the comment tokens ``commenting_parser()`` meets inside the block."""
    _sinks.comments = found = []
    try:
        yield found
    finally:
        _sinks.comments = None
