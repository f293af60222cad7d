import atexit
import os
import shutil
import tempfile


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.expected from the current output")


# The parser cache (perfrules/_grammar.py) goes to a directory of this session, not to the real
# ~/.cache: every process the tests start inherits the setting. Set PERFRULES_CACHE_DIR to choose.
if "PERFRULES_CACHE_DIR" not in os.environ:
    os.environ["PERFRULES_CACHE_DIR"] = _parser_cache = tempfile.mkdtemp(prefix="perfrules-test-cache-")
    atexit.register(shutil.rmtree, _parser_cache, ignore_errors=True)
