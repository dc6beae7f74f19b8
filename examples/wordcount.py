"""Parallel word count over local files with the page's API only:
start_new_thread, allocate_lock, get_ident.

usage: python3 examples/wordcount.py [DIR-OR-FILE ...]   (default: this
repository's sources).  Four workers take files from a shared list under a
lock, count words, merge into one table, and report progress: on a
terminal, one line that redraws; in a log or a pipe, nothing until the
result."""
import os
import sys
import time

import thread

WORKERS = 4


class Progress:
    """A status line on a stream that redraws in place when a person is
    watching (the stream is a terminal) and prints nothing otherwise.
    Redraws at most every `every` seconds, so fast work does not spend its
    time drawing; done() draws the last frame and ends the line."""

    def __init__(self, stream, every=0.1):
        self.stream = stream
        self.live = stream.isatty()
        self.every = every
        self.drawn_at = None    # time.monotonic() of the last frame
        self.width = 0          # length of the last frame's text

    def show(self, text):
        if not self.live:
            return
        now = time.monotonic()
        if self.drawn_at is not None and now - self.drawn_at < self.every:
            return
        self.drawn_at = now
        self._draw(text)

    def done(self, text):
        if self.live:
            self._draw(text)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, text):
        # Pad with spaces to cover a longer previous frame.
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)


def files_under(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
        for root, dirs, names in os.walk(p):
            dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
            for n in names:
                if n.endswith((".c", ".h", ".py", ".md", ".txt")):
                    yield os.path.join(root, n)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    todo = sorted(files_under(sys.argv[1:] or [os.path.dirname(here)]))
    total_files = len(todo)
    counts, per_worker = {}, {}
    progress = Progress(sys.stderr)
    mutex = thread.allocate_lock()      # guards todo, counts, per_worker, progress
    finished = thread.allocate_lock()   # released by the last worker out
    finished.acquire()
    alive = [WORKERS]

    def worker():
        me = thread.get_ident()
        while True:
            with mutex:
                if not todo:
                    break
                path = todo.pop()
            local = {}
            with open(path, encoding="utf-8", errors="replace") as f:
                for word in f.read().split():
                    word = word.strip(".,;:()[]{}\"'`*#<>=!?").lower()
                    if word.isalpha():
                        local[word] = local.get(word, 0) + 1
            with mutex:
                for w, c in local.items():
                    counts[w] = counts.get(w, 0) + c
                per_worker[me] = per_worker.get(me, 0) + 1
                progress.show("%d/%d files" % (sum(per_worker.values()), total_files))
        with mutex:
            alive[0] -= 1
            if alive[0] == 0:
                finished.release()

    for _ in range(WORKERS):
        thread.start_new_thread(worker, ())
    finished.acquire()
    progress.done("%d/%d files" % (total_files, total_files))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    print("%d files, %d words, %d distinct; files per worker: %s"
          % (total_files, sum(counts.values()), len(counts), sorted(per_worker.values())))
    for word, n in top:
        print("%8d  %s" % (n, word))
    return 0 if total_files else 1


if __name__ == "__main__":
    sys.exit(main())
