"""The built parser is cached on disk per user, and the cache can never make a load fail.

Each test runs fresh Python processes with their own cache directory, so it neither reads
nor writes the real ``~/.cache``, and asserts what happened through
``_grammar.cache_events``, not through timing.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

# Parses with both parsers (the formatter's keeps comments), then reports how they were made.
_PROBE = """
import json
from perfrules import _grammar
from perfrules.parse import parse, parse_with_comments
assert parse('ruleset "r" indicator a 1 = 1').name == "r"
_, comments = parse_with_comments('ruleset "r"  # 2024\\nindicator a 1 = 1')
assert [c.text for c in comments] == ["# 2024"], comments
print(json.dumps(_grammar.cache_events))
"""


def _run(env_changes: dict[str, str | None]) -> dict[str, int]:
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_a_fresh_process_builds_and_writes_then_the_next_one_reads(tmp_path):
    cache = tmp_path / "cache"
    first = _run({"PERFRULES_CACHE_DIR": str(cache)})
    assert first == {"built": 2, "written": 2}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    names = [p.name for p in _files(cache)]
    assert len(names) == 2 and all("-lark" in name and name.endswith(".pickle") for name in names)
    assert _run({"PERFRULES_CACHE_DIR": str(cache)}) == {"read": 2}


def test_the_default_directory_is_under_xdg_cache_home(tmp_path):
    events = _run({"PERFRULES_CACHE_DIR": None, "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path / "home")})
    assert events["written"] == 2
    assert {p.parent for p in _files(tmp_path)} == {tmp_path / "perfrules"}


def test_an_empty_setting_turns_the_cache_off(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"PERFRULES_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(home)}
    assert _run(env) == {"built": 2}
    assert _run(env) == {"built": 2}
    assert list(tmp_path.rglob("*")) == [home]


def test_a_corrupt_file_is_ignored_and_rebuilt(tmp_path):
    _run({"PERFRULES_CACHE_DIR": str(tmp_path)})
    for path in _files(tmp_path):
        key = path.read_bytes().split(b"\n", 1)[0]
        path.write_bytes(key + b"\n" + b"\x80\x05not a pickle")  # the right key, a broken body
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"unreadable": 2, "built": 2, "written": 2}
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"read": 2}


def test_a_truncated_file_is_ignored_and_rebuilt(tmp_path):
    _run({"PERFRULES_CACHE_DIR": str(tmp_path)})
    for path in _files(tmp_path):
        path.write_bytes(path.read_bytes()[:5000])
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"unreadable": 2, "built": 2, "written": 2}


def test_a_file_for_another_grammar_is_not_used(tmp_path):
    _run({"PERFRULES_CACHE_DIR": str(tmp_path)})
    for path in _files(tmp_path):
        path.write_bytes(b"0" * 64 + b"\n" + path.read_bytes().split(b"\n", 1)[1])
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"stale": 2, "built": 2, "written": 2}
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"read": 2}


def test_a_directory_that_cannot_be_created_still_loads(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert _run({"PERFRULES_CACHE_DIR": str(blocker / "cache")}) == {"built": 2}


def test_a_cache_file_that_cannot_be_read_or_written_still_loads(tmp_path):
    # Works as root too: a directory where the file should be defeats both open() calls.
    _run({"PERFRULES_CACHE_DIR": str(tmp_path)})
    for path in _files(tmp_path):
        path.unlink()
        path.mkdir()
    assert _run({"PERFRULES_CACHE_DIR": str(tmp_path)}) == {"unreadable": 2, "built": 2}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_read_only_directory_still_loads(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o500)
    try:
        assert _run({"PERFRULES_CACHE_DIR": str(cache)}) == {"built": 2}
    finally:
        cache.chmod(0o700)
    assert _files(cache) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant a pickle here
    assert _run({"PERFRULES_CACHE_DIR": str(shared)}) == {"built": 2}
    assert _files(shared) == []
