"""Portability check of the sources (a CTest test; prints what it finds).

1. No Linux-only call or header outside src/wait_futex.c: the rest of the
   library, the tests and the module must build on any POSIX system and on
   Windows.  One exception: src/thread_posix.c may use a system's own call
   (gettid, pthread_setname_np...) inside an #if/#elif branch that tests a
   platform or configure macro, when that #if chain has an #else branch:
   the portable fallback every other POSIX system builds.
2. No platform conditional (#if on a platform or compiler macro, a configure
   result, an errno or signal name) in the files that are the same on every
   platform: src/lock.c, src/deadline.c, src/error.c, python/, the shared
   test files.  Include guards and other conditionals are allowed.
3. No platform header in those same files.
4. No GNU extension in the Windows files, which MSVC must compile.

Comments and string literals are removed before matching, so prose may
name anything.  Usage: check_sources.py [SOURCE_ROOT]"""
import glob
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))

LINUX_ONLY_CALLS = re.compile(
    r"\b(futex|syscall|gettid|clone|clone3|prctl|epoll_\w+|eventfd|signalfd"
    r"|timerfd_\w+|sched_getcpu|pthread_\w+_np|__NR_\w+|SYS_\w+)\b")
LINUX_ONLY_HEADERS = re.compile(r"#\s*include\s*<(linux/|asm/|sys/syscall\.h"
                                r"|sys/prctl\.h|sys/epoll\.h|sys/eventfd\.h)")
PLATFORM_HEADERS = re.compile(
    r"#\s*include\s*<(windows\.h|process\.h|synchapi\.h|intrin\.h|pthread\.h"
    r"|semaphore\.h|unistd\.h|sched\.h|sys/|linux/|asm/)")
CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif)\b(.*)$", re.M)
PLATFORM_NAME = re.compile(
    r"\b(_\w+|linux|unix|WIN32|WIN64|sun|\w*HAVE_\w*|E[A-Z]{3,}|SIG[A-Z]+)\b")
GNU_EXTENSIONS = re.compile(
    r"\b(__attribute__|__atomic_\w+|__sync_\w+|__builtin_\w+|__asm__|asm"
    r"|typeof|__typeof__|__extension__)\b|\(\{")

LITERAL_OR_COMMENT = re.compile(
    r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)


def code_of(path):
    """The file with comments and literals blanked, line breaks kept."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return LITERAL_OR_COMMENT.sub(
        lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def lines_matching(path, pattern):
    code = code_of(path)
    for m in pattern.finditer(code):
        line = code.count("\n", 0, m.start()) + 1
        yield line, m.group(0).strip()


def files(*patterns):
    out = []
    for p in patterns:
        out.extend(glob.glob(os.path.join(root, p), recursive=True))
    return sorted(set(out))


def rel(path):
    return os.path.relpath(path, root)


def include_guard_lines(path):
    """Line numbers of the #ifndef X / #define X pair that guards a header."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines[:-1]):
        m = re.match(r"\s*#\s*ifndef\s+(\w+)\s*$", line)
        if m and re.match(r"\s*#\s*define\s+%s\b" % m.group(1), lines[i + 1]):
            return {i + 1}
    return set()


def guarded_lines(path):
    """Lines of `path` inside an #if/#elif branch whose condition names a
    platform or configure macro, in an #if chain that has an #else."""
    code = code_of(path)
    lines = code.split("\n")
    chains = []  # one per open #if: [branches, has_else]; branch = (cond, start)
    stack = []
    for i, line in enumerate(lines, 1):
        m = re.match(r"\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)", line)
        if not m:
            continue
        kind, cond = m.group(1), m.group(2)
        if kind in ("if", "ifdef", "ifndef"):
            stack.append({"branches": [(kind != "ifndef" and cond, i)], "else": False})
        elif kind == "elif":
            stack[-1]["branches"].append((cond, i))
        elif kind == "else":
            stack[-1]["branches"].append((None, i))
            stack[-1]["else"] = True
        else:
            chain = stack.pop()
            chain["end"] = i
            chains.append(chain)
    allowed = set()
    for chain in chains:
        if not chain["else"]:
            continue
        bounds = [start for _, start in chain["branches"]] + [chain["end"]]
        for (cond, start), stop in zip(chain["branches"], bounds[1:]):
            if cond and PLATFORM_NAME.search(cond):
                allowed.update(range(start, stop))
    return allowed


PLATFORM_FILES_WITH_FALLBACKS = {os.path.join("src", "thread_posix.c")}

problems = []
checked = 0

# 1. Linux-only calls and headers.
everything = files("src/*.[ch]", "python/**/*.[ch]", "tests/**/*.[ch]",
                   "bench/**/*.[ch]", "examples/**/*.[ch]")
for path in everything:
    if rel(path) == os.path.join("src", "wait_futex.c"):
        continue
    checked += 1
    guarded = (guarded_lines(path) if rel(path) in PLATFORM_FILES_WITH_FALLBACKS
               else set())
    for pattern, what in ((LINUX_ONLY_CALLS, "Linux-only call"),
                          (LINUX_ONLY_HEADERS, "Linux-only header")):
        for line, text in lines_matching(path, pattern):
            if line in guarded:
                continue
            problems.append("%s:%d: %s %s outside src/wait_futex.c"
                            % (rel(path), line, what, text))

# 2 and 3. The files that are the same on every platform.
shared = files("src/lock.c", "src/spin.c", "src/deadline.c", "src/error.c",
               "python/**/*.[ch]", "tests/test_*.c", "tests/main.c",
               "tests/helpers.c", "tests/harness.h")
for path in shared:
    checked += 1
    code = code_of(path)
    guard = include_guard_lines(path)
    for m in CONDITIONAL.finditer(code):
        line = code.count("\n", 0, m.start()) + 1
        names = PLATFORM_NAME.findall(m.group(2))
        if line in guard or not names:
            continue
        problems.append("%s:%d: platform conditional on %s"
                        % (rel(path), line, ", ".join(names)))
    for line, text in lines_matching(path, PLATFORM_HEADERS):
        problems.append("%s:%d: platform header %s>" % (rel(path), line, text))

# 4. The Windows files stay MSVC C.
for path in files("src/*_win.c"):
    checked += 1
    for line, text in lines_matching(path, GNU_EXTENSIONS):
        problems.append("%s:%d: GNU extension %s in a file MSVC must compile"
                        % (rel(path), line, text))

for p in problems:
    print(p)
print("portability check: %d files, %d problems" % (checked, len(problems)))
sys.exit(1 if problems else 0)
