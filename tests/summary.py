"""Count test results: C tests from CTest's JUnit file, Python tests from the
JSON files their runner writes; print "N passed, M failed" (skips aside)."""
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

build = sys.argv[1] if len(sys.argv) > 1 else "build"
passed = failed = skipped = 0
skip_reasons = []  # "name: why" for each C test that skipped
python_entries = {}  # ctest name -> failures its JSON reported
for path in glob.glob(os.path.join(build, "test-results", "*.json")):
    with open(path) as f:
        r = json.load(f)
    passed += r["passed"]
    failed += r["failed"]
    skipped += r.get("skipped", 0)
    python_entries[r["ctest_name"]] = r["failed"]

root = ET.parse(os.path.join(build, "ctest.xml")).getroot()
for case in root.iter("testcase"):
    name = case.get("name")
    status = case.get("status")
    if name in python_entries:
        # Its JSON counts its tests; an entry CTest failed (crash or timeout
        # after the JSON was written) with no failure in it still fails once.
        if status not in ("run", "notrun", "disabled") and python_entries[name] == 0:
            failed += 1
        continue
    if status == "run":
        passed += 1
    elif status in ("notrun", "disabled") or case.find("skipped") is not None:
        skipped += 1
        out = case.findtext("system-out") or ""
        why = [l[len("SKIPPED: "):] for l in out.splitlines() if l.startswith("SKIPPED: ")]
        skip_reasons.append("%s: %s" % (name, why[-1] if why else "(no reason printed)"))
    else:
        failed += 1
for line in skip_reasons:
    print("skipped " + line)
if skipped:
    print("%d skipped" % skipped)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
