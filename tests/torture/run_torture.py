"""make torture: run every item (item_*.py, in name order), gather their
RESULT rows, print the results table and end with "N passed, M failed"
(one per row).  With --doc PATH, also write the table, with the date, the
git revision, the scale and the machine, between the markers in PATH.

usage: run_torture.py BUILD_DIR [--doc PATH] [ITEM_SUBSTRING ...]
The contract an item keeps is in tests/torture/README.md."""
import glob
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BEGIN = "<!-- torture table: begin (written by make torture-doc) -->"
END = "<!-- torture table: end -->"
COLUMNS = ("item", "tried", "runs", "operations", "threads", "worst", "failures", "failed")
ITEM_TIMEOUT = 1800  # seconds, before the scale; a hung item is a failure


def run_item(path, build, scale):
    """Run one item; return its rows, with a failed row added if it
    crashed, timed out or printed none, and its wall time."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.path.join(build, "python"), env.get("PYTHONPATH")) if p)
    env["TORTURE_SCALE"] = str(scale)
    name = os.path.basename(path)
    rows, t0 = [], time.monotonic()
    print("=== %s (%s)" % (name, time.strftime("%H:%M:%S")), flush=True)
    proc = subprocess.Popen([sys.executable, path, build], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:  # shown as it comes: a soak is long
            sys.stdout.write("  " + line)
            sys.stdout.flush()
            if line.startswith("RESULT "):
                rows.append(json.loads(line[len("RESULT "):]))
        rc = proc.wait(timeout=ITEM_TIMEOUT * max(scale, 1))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = "timeout"
    except ValueError as e:  # a RESULT line that is not JSON
        proc.kill()
        proc.wait()
        rc = "bad RESULT line: %s" % e
    if rc != 0 and all(r.get("failures", 1) == 0 for r in rows):
        rows.append({"item": name, "tried": name, "runs": 1, "failures": 1,
                     "failed": "exit status %s" % rc})
    if not rows:
        rows.append({"item": name, "tried": name, "runs": 0, "failures": 1,
                     "failed": "no RESULT line"})
    return rows, time.monotonic() - t0


def cell(row, key):
    value = row.get(key, "")
    if isinstance(value, float):
        value = "%.3g" % value
    elif isinstance(value, int) and abs(value) >= 10000:
        value = "{:,}".format(value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(r, c) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def revision():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def write_doc(path, rows, scale, seconds):
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("%s: no torture table markers" % path)
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    about = ("Run of %s, git %s, TORTURE_SCALE=%s, %d processors, %s, CPython %s; "
             "%.0f s in all.\n\n" % (time.strftime("%Y-%m-%d"), revision(), scale,
                                     os.cpu_count(), platform.platform(),
                                     platform.python_version(), seconds))
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + about + table(rows) + "\n" + END + tail)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    build = os.path.abspath(args.pop(0))
    doc = None
    if "--doc" in args:
        i = args.index("--doc")
        doc = args[i + 1]
        del args[i:i + 2]
    scale = float(os.environ.get("TORTURE_SCALE", "1"))
    items = sorted(glob.glob(os.path.join(HERE, "item_*.py")))
    if args:
        items = [p for p in items if any(a in os.path.basename(p) for a in args)]
    if not items:
        sys.exit("no torture items found")
    rows, t0 = [], time.monotonic()
    for path in items:
        got, secs = run_item(path, build, scale)
        print("    %s: %d row(s), %.0f s" % (os.path.basename(path), len(got), secs))
        rows += got
    seconds = time.monotonic() - t0
    print()
    print(table(rows))
    if doc:
        write_doc(doc, rows, scale, seconds)
        print("\nwrote the table into %s" % doc)
    failed = sum(1 for r in rows if r.get("failures", 1) != 0)
    print("%d passed, %d failed" % (len(rows) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
