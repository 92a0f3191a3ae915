"""gc chain says why an object is alive when no chain leads to it from a
module or a variable: a garbage cycle (with the collector off, or on
with its counts), gc.garbage under DEBUG_SAVEALL, cpdb's value history
($N), and, when none of these, something the collector cannot see."""

import os
import re

from conftest import program, run_cpdb
from transcript import after, blocks


def run(tmp_path, commands):
    return run_cpdb([program("heapreasons.py"), str(tmp_path)], commands)


def sourced(r, src, nth=0):
    """The output of the "gc chain ADDRESS" that the nth src ran."""
    bl = blocks(r)
    at = [k for k, (cmd, _) in enumerate(bl) if cmd == src][nth]
    assert bl[at + 1][0].startswith("gc chain 0x"), bl[at + 1]
    return bl[at + 1][1]


def test_dropped_cycle_with_the_collector_off(tmp_path):
    src = "source %s" % os.path.join(tmp_path, "off.cmd")
    r = run(tmp_path, ["break 37", "continue", src, "gc collect", src])
    lines = sourced(r, src)       # the echo of the sourced command first
    assert lines[0].startswith("No chain of references leads from a module "
                               "or a stopped frame's variable to "
                               "<__main__.Node object at "), lines
    # the other node (and the two attribute dicts, on 3.10)
    assert re.match(r"^It is garbage: it and the (1 object|3 objects) "
                    r"holding it make a reference cycle \(or hang from "
                    r"one\) that nothing else refers to\.$", lines[1]), lines
    assert lines[2] == ("Automatic collection is off (gc.disable()), so it "
                        "stays until a collection runs: \"gc collect\" frees "
                        "it."), lines
    assert len(lines) == 3, lines
    # and it does: the address is gone after the collection
    again = sourced(r, src, 1)
    assert any(l.startswith("No object tracked by the garbage collector at")
               for l in again + r.err.splitlines()), (again, r.err)


def test_dropped_cycle_with_the_collector_on(tmp_path):
    src = "source %s" % os.path.join(tmp_path, "on.cmd")
    r = run(tmp_path, ["break 43", "continue", src])
    lines = sourced(r, src)
    assert lines[1].endswith("that nothing else refers to."), lines
    assert lines[2].startswith("The collector frees it when it next "
                               "collects the generation holding it (counts "
                               "("), lines
    assert "thresholds (100000, 10, 10)); \"gc collect\" frees it now." \
        in lines[2], lines


def test_cycle_kept_in_gc_garbage_by_saveall(tmp_path):
    src = "source %s" % os.path.join(tmp_path, "saved.cmd")
    r = run(tmp_path, ["break 49", "continue", src])
    lines = sourced(r, src)
    assert lines[1].startswith("  module gc .garbage -> list ["), lines
    assert lines[-1].startswith("It is in gc.garbage["), lines
    assert lines[-1].endswith("]: the collector found it unreachable and "
                              "kept it there because DEBUG_SAVEALL is set "
                              "(\"gc saveall off\" stops that). \"!del "
                              "gc.garbage[:]\" frees it."), lines


def test_value_only_in_the_history(tmp_path):
    r = run(tmp_path, ["break 57", "break 59", "continue", "p value",
                       "continue", "gc chain $1", "gc referrers $1"])
    lines = after(r, "gc chain $1")
    assert lines == [
        "No chain of references leads from a module or a stopped frame's "
        "variable to <__main__.Node object at %s" % lines[0].split(" at ")[-1],
        "Only cpdb's value history keeps it alive: $1 (the program no "
        "longer refers to it); \"delete values\" drops it."], lines
    refs = after(r, "gc referrers $1")
    assert refs[-1] == ("Nothing the collector tracks refers to it: only "
                        "cpdb's value history keeps it alive ($1); \"delete "
                        "values\" drops it."), refs


def test_held_from_c_only(tmp_path):
    src = "source %s" % os.path.join(tmp_path, "c.cmd")
    r = run(tmp_path, ["break 57", "continue", src])
    lines = sourced(r, src)
    assert lines[0].startswith("No chain of references leads from"), lines
    assert lines[1] == ("Something the collector cannot see holds it or one "
                        "of the 1 object holding it: C code or the "
                        "interpreter, a running frame's value stack, or an "
                        "object the collector does not track."), lines


def test_a_value_the_expression_made(tmp_path):
    r = run(tmp_path, ["break 57", "continue", "gc chain [[1], 2]"])
    assert after(r, "gc chain [[1], 2]") == [
        "No chain of references leads from a module or a stopped frame's "
        "variable to list (2 items) [[1], 2].",
        "Nothing refers to it but this command: the expression made it, "
        "and it goes when the command ends."]


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
