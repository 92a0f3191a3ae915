"""A program with a sys.monitoring tool of its own (3.12+): it prints what
the tool saw, to be compared with a run under plain python.
Usage: progmonitor.py tool0|coverage
  tool0     counts LINE events on the debugger's id (DEBUGGER_ID, 0)
  coverage  records lines on COVERAGE_ID and disables each line once
            seen, as coverage.py does"""
import sys
from collections import Counter

mon = sys.monitoring
lines = Counter()
covered = set()
calls = 0


def count_line(code, line):
    if code.co_filename == __file__:
        lines[code.co_name] += 1


def cover_line(code, line):
    global calls
    calls += 1
    if code.co_filename == __file__:
        covered.add((code.co_name, line))
    return mon.DISABLE


def helper(i):
    if i % 2:           # bp-helper
        return i * 3
    return i * 2


def work(n):
    total = 0           # bp-work
    for i in range(n):
        total += helper(i)
    return total


mode = sys.argv[1]
tool = mon.DEBUGGER_ID if mode == "tool0" else mon.COVERAGE_ID
print("free", mon.get_tool(tool))              # bp-start
mon.use_tool_id(tool, "mine")
mon.register_callback(tool, mon.events.LINE,
                      count_line if mode == "tool0" else cover_line)
mon.set_events(tool, mon.events.LINE)
result = work(6)
mon.set_events(tool, 0)
mon.register_callback(tool, mon.events.LINE, None)
print("tool", mon.get_tool(tool))
mon.free_tool_id(tool)
print("result", result)
print("lines", sorted(lines.items()))
print("covered", sorted(covered))
print("calls", calls)
