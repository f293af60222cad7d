"""pytest plugin: collects the author cases of rulesets (filled in by the verification work)."""
