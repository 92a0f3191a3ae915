"""gc chain on an object the collector does not track, asked after the
stop's reverse references are built (by gc referrers), and when no chain
leads to it: the value history, the command's own expression, or a
holder the collector cannot see."""

from conftest import program, run_cpdb
from transcript import after

PROGRAM = program("heapuntracked.py")


def stop_line():
    with open(PROGRAM) as f:
        for number, line in enumerate(f, 1):
            if line.rstrip().endswith("# STOP here"):
                return number
    raise AssertionError("no STOP marker")


def session(commands):
    return run_cpdb([PROGRAM], ["break %d" % stop_line(), "continue"]
                    + commands)


def test_chain_of_an_untracked_object_after_the_reverse_references():
    # gc referrers of a tracked object builds the snapshot's reverse
    # references first; the untracked object still has its chain.
    r = session(["gc referrers LIST", "gc chain Holder.bytes"])
    lines = after(r, "gc chain Holder.bytes")
    assert lines[0] == "Chain of 2 references:", r
    assert lines[1].startswith("  module __main__ .Holder -> class "
                               "__main__.Holder .bytes -> bytes "), r


def test_why_an_untracked_object_has_no_chain():
    r = session(["gc chain 10**100", "p 10**100", "gc chain $1",
                 "gc referrers LIST", "gc chain 10**100"])
    made = after(r, "gc chain 10**100")
    assert made[0].startswith("No chain of references leads from a module "
                              "or a stopped frame's variable to int 1000"), r
    assert made[1] == ("Nothing refers to it but this command: the "
                       "expression made it, and it goes when the command "
                       "ends."), r
    kept = after(r, "gc chain $1")
    assert kept[1] == ("cpdb's value history holds it ($1): \"delete "
                       "values\" drops it."), r
    # the same answer once the reverse references are built
    assert after(r, "gc chain 10**100", 1) == made, r


def test_delete_values_takes_no_argument():
    r = session(["p 1", "delete values 3", "p $1"])
    assert "\"delete values\" takes no argument: it drops the whole value " \
        "history." in r.err, r
    assert after(r, "p $1") == ["$2 = 1"], r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
