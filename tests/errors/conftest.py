"""The cases files of tests/errors/cases/ are broken on purpose (PR7xx examples): they are
rendered by tests/test_errors_corpus.py, not collected by perfrules' pytest plugin."""

collect_ignore_glob = ["cases/*.cases.yaml"]
