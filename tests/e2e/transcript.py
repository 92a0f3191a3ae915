"""Reading a cpdb transcript (stdout of run_cpdb) command by command.

Not a test module: helpers shared by the end-to-end test files."""

import os

from conftest import LOCATION, PROGRAMS

PROMPT = "(cpdb) "


def blocks(run):
    """The transcript cut at each prompt: [(command, [output lines])].

    The first entry has command None: what came before the first prompt
    (the first stop).  A command's lines end at the next prompt."""
    result = [(None, [])]
    for line in run.out.splitlines():
        if line.startswith(PROMPT):
            result.append((line[len(PROMPT):], []))
        else:
            result[-1][1].append(line)
    return result


def after(run, command, nth=0):
    """Output lines of the nth (0-based) time command was run."""
    seen = 0
    for cmd, lines in blocks(run):
        if cmd == command:
            if seen == nth:
                return lines
            seen += 1
    raise AssertionError("command %r (occurrence %d) not in transcript:\n%s"
                         % (command, nth, run.out))


def locations(lines):
    """[(path, line, func, value)] of the location lines among lines."""
    found = []
    for line in lines:
        m = LOCATION.match(line)
        if m:
            found.append((m.group("path"), int(m.group("line")),
                          m.group("func"), m.group("value")))
    return found


def stop(lines):
    """(basename, line, func) of the last location line, or None."""
    locs = locations(lines)
    if not locs:
        return None
    path, line, func, _ = locs[-1]
    return (os.path.basename(path), line, func)


def stop_after(run, command, nth=0):
    return stop(after(run, command, nth))


def prog_path(name):
    """The absolute, canonical path cpdb prints for a test program."""
    return os.path.realpath(os.path.join(PROGRAMS, name))


def error_lines(run):
    return [l for l in run.err.splitlines() if l.strip()]
