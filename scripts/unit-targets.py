#!/usr/bin/env python3
"""The build targets the unit tests run, one per line.

Reads `ctest -N --show-only=json-v1` of a built tree on stdin and prints the name of every
program of that tree that a test runs or names in its arguments (a test's own executable, or a
sample program a script checks). scripts/test.sh builds only these in the sanitizer tree, which
runs only the unit tests: the integration tests, the kapal program and the benchmarks are not
compiled a second time.
"""
import json
import os
import sys


def main() -> None:
    tree = os.path.realpath(sys.argv[1])
    tests = json.load(sys.stdin)["tests"]
    targets = set()
    for test in tests:
        for word in test.get("command") or []:
            path = os.path.realpath(word)
            if path.startswith(tree + os.sep) and os.access(path, os.X_OK):
                targets.add(os.path.basename(path))
    print("\n".join(sorted(targets)))


if __name__ == "__main__":
    main()
