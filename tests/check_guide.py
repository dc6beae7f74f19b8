"""Every fenced code block of docs/guide.md, compiled or run (a CTest test).

The guide shows code; this makes sure each block still works as shown, so
the guide cannot rot.  A block's info string (the words after the opening
```) says what is done with it:

  c                  a whole program: compiled with CC -Wall -Werror against
                     include/ and LIBRARY (and -pthread), then run; it must
                     exit 0
  c fragment         compiled only (CC -c -Wall -Werror): a function or
                     declarations that need a caller; not linked, not run
  python             run with PYTHON, the extension's directory on
                     PYTHONPATH, in WORKDIR; it must exit 0
  python fragment    compiled (compile()) only, not run
  python file=NAME   compiled, and written to WORKDIR/NAME for a later sh
                     block to run; some later sh block must name it
  sh                 run by `sh -e` in WORKDIR, with `python3` on PATH being
                     PYTHON and PYTHONPATH as above; it must exit 0
  sh fragment        parsed (`sh -n`) only, not run
  output             exactly what the block just before it prints on
                     standard output (spaces at line ends and blank lines at
                     the end aside).  A block with no output block after it
                     may print anything.

A block with any other info string, or none, is a failure: no block is
skipped silently, and a fragment says so in its info string.

Usage:
  check_guide.py SOURCE_ROOT c WORKDIR CC LIBRARY [CFLAG ...]
  check_guide.py SOURCE_ROOT python WORKDIR PYTHON [EXTENSION_DIR]
  check_guide.py SOURCE_ROOT (c|python) --skip REASON

The c mode checks the c blocks; the python mode the python and sh blocks.
Both first check the form of the whole guide (the info strings, where the
output blocks are, that each file= block is used).  Without EXTENSION_DIR
(the extension is not built), or with --skip, the blocks of the mode are
only compiled or parsed where that needs nothing built (python, sh), then
the check prints "SKIPPED: REASON" and exits 77, which CTest counts as a
skip."""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 60  # seconds a block may run
KINDS = {("c",), ("c", "fragment"), ("python",), ("python", "fragment"), ("python", "file"),
         ("sh",), ("sh", "fragment"), ("output",)}
RUNNABLE = {("c",), ("python",), ("sh",)}

problems = []


def problem(msg):
    problems.append(msg)
    print("FAIL: " + msg)


class Block:
    def __init__(self, line, info, text):
        self.line, self.info, self.text = line, info, text
        words = info.split()
        self.lang = words[0] if words else ""
        self.file = None
        rest = words[1:]
        if rest and rest[0].startswith("file="):
            self.file = rest[0][len("file="):]
            rest = ["file"] + rest[1:]
        self.kind = tuple([self.lang] + rest)
        self.expected = None  # the output block after it, if any

    def where(self):
        return "docs/guide.md:%d (```%s)" % (self.line, self.info)


def read_blocks(path):
    """Every fenced block, in order, with the line of its opening fence."""
    blocks, current, body = [], None, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fence = re.match(r"^(\s*)```(.*)$", line.rstrip("\n"))
            if current is None and fence:
                if fence.group(1):
                    problem("docs/guide.md:%d: an indented fence; fences start the line" % number)
                current, body = (number, fence.group(2).strip()), []
            elif current is not None and fence and not fence.group(2).strip():
                blocks.append(Block(current[0], current[1], "".join(body)))
                current = None
            elif current is not None:
                body.append(line)
    if current is not None:
        problem("docs/guide.md:%d: the block is never closed" % current[0])
    return blocks


def check_form(blocks):
    """Known info strings; output only after a runnable block; file= used."""
    for i, b in enumerate(blocks):
        if b.kind not in KINDS or (b.kind == ("python", "file") and not b.file):
            problem("%s: unknown info string (see tests/check_guide.py)" % b.where())
        if b.kind == ("output",):
            before = blocks[i - 1] if i else None
            if before is None or before.kind not in RUNNABLE or before.expected is not None:
                problem("%s: an output block must follow a c, python or sh block" % b.where())
            else:
                before.expected = b.text
        if b.file:
            stem = b.file[:-3] if b.file.endswith(".py") else b.file
            if not any(later.kind == ("sh",) and re.search(r"\b(%s|%s)\b" % (
                    re.escape(b.file), re.escape(stem)), later.text) for later in blocks[i + 1:]):
                problem("%s: no later sh block runs %s" % (b.where(), b.file))


def run(cmd, block, cwd, env=None):
    """Run `cmd` for `block`; its stdout, or None (and a problem) on failure."""
    try:
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        problem("%s: did not finish in %d s" % (block.where(), TIMEOUT))
        return None
    if r.returncode != 0:
        problem("%s: %s exited %d:\n%s%s" % (block.where(), os.path.basename(cmd[0]),
                                             r.returncode, r.stdout, r.stderr))
        return None
    return r.stdout


def normalised(text):
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def compare(block, out):
    if out is None:
        return
    if block.expected is not None and normalised(out) != normalised(block.expected):
        diff = difflib.unified_diff(normalised(block.expected).splitlines(),
                                    normalised(out).splitlines(), "shown in the guide",
                                    "printed", lineterm="")
        problem("%s: prints something else than the guide shows:\n%s"
                % (block.where(), "\n".join(diff)))
    else:
        print("ok %s%s" % (block.where(), "" if block.expected is None else ", output as shown"))


def check_c(blocks, root, work, cc, library, cflags):
    n = 0
    for b in blocks:
        if b.lang != "c":
            continue
        n += 1
        src = os.path.join(work, "guide_%d.c" % b.line)
        with open(src, "w", encoding="utf-8") as f:
            f.write(b.text)
        base = [cc, "-Wall", "-Werror", "-I", os.path.join(root, "include")] + cflags
        if b.kind == ("c", "fragment"):
            if run(base + ["-c", "-o", src[:-2] + ".o", src], b, work) is not None:
                print("ok %s, compiled" % b.where())
            continue
        exe = src[:-2]
        if run(base + ["-o", exe, src, library, "-pthread"], b, work) is not None:
            compare(b, run([exe], b, work))
    return n


def parse_python_and_sh(blocks, work):
    """What needs nothing built: every python block compiles, every sh block parses."""
    for b in blocks:
        if b.lang == "python":
            try:
                compile(b.text, b.where(), "exec")
            except SyntaxError as e:
                problem("%s: does not compile: %s" % (b.where(), e))
        elif b.lang == "sh":
            path = os.path.join(work, "guide_%d.sh" % b.line)
            with open(path, "w", encoding="utf-8") as f:
                f.write(b.text)
            run(["sh", "-n", path], b, work)


def check_python(blocks, work, python, extension_dir):
    """Run the python and sh blocks, in order (a sh block may run a file=
    block's file)."""
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    shim = os.path.join(bindir, "python3")
    if os.path.lexists(shim):
        os.remove(shim)
    os.symlink(python, shim)
    env = dict(os.environ, PYTHONPATH=extension_dir,
               PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    n = 0
    for b in blocks:
        if b.lang not in ("python", "sh") or b.kind in (("python", "fragment"), ("sh", "fragment")):
            if b.kind in (("python", "fragment"), ("sh", "fragment")):
                print("ok %s, parsed" % b.where())
            continue
        n += 1
        if b.file:
            with open(os.path.join(work, b.file), "w", encoding="utf-8") as f:
                f.write(b.text)
            print("ok %s, written for a later sh block" % b.where())
        elif b.lang == "python":
            path = os.path.join(work, "guide_%d.py" % b.line)
            with open(path, "w", encoding="utf-8") as f:
                f.write(b.text)
            compare(b, run([python, path], b, work, env))
        else:
            compare(b, run(["sh", "-e", os.path.join(work, "guide_%d.sh" % b.line)], b, work, env))
    return n


def main(argv):
    root, mode = os.path.abspath(argv[1]), argv[2]
    blocks = read_blocks(os.path.join(root, "docs", "guide.md"))
    if not blocks:
        problem("docs/guide.md has no code blocks")
    check_form(blocks)
    skip = argv[4] if argv[3] == "--skip" else None
    work = None if skip else os.path.abspath(argv[3])
    if work:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    if mode == "c":
        if not skip:
            n = check_c(blocks, root, work, argv[4], os.path.abspath(argv[5]), argv[6:])
            print("%d c blocks checked" % n)
    elif mode == "python":
        if not skip and len(argv) < 6:
            skip = "the Python extension is not built (THREAD_PYTHON=OFF)"
        if skip:
            with tempfile.TemporaryDirectory() as tmp:
                parse_python_and_sh(blocks, tmp)
        else:
            parse_python_and_sh(blocks, work)
            if not problems:
                n = check_python(blocks, work, argv[4], os.path.abspath(argv[5]))
                print("%d python and sh blocks checked" % n)
    else:
        problem("unknown mode %r: c or python" % mode)
    if problems:
        print("%d problem(s)" % len(problems))
        return 1
    if skip:
        print("SKIPPED: " + skip)
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
