#!/usr/bin/env python3
"""Print one line per IGT subtest of an igt_runner results.json:
'pass|fail|skip igt@bin@subtest (result)'.  dmesg-warn, warn, crash,
incomplete, notrun, timeout and abort count as failures."""
import json
import sys

with open(sys.argv[1]) as f:
    tests = json.load(f)["tests"]
for name, t in sorted(tests.items()):
    r = t.get("result", "incomplete")
    kind = {"pass": "pass", "skip": "skip"}.get(r, "fail")
    print(f"{kind} {name} ({r})")
