"""gc referrers and gc chain on objects the collector does not track:
str, bytes, bytearray, int, float, and tuples and dicts of atoms, each
held by a class attribute, a list item, a dict value and a local
variable (tests/programs/heapuntracked.py); a 50 MB bytes held by a
class attribute has the chain gc.get_referrers and objgraph find."""

import re

import pytest

from conftest import program, run_cpdb
from transcript import after

PROGRAM = program("heapuntracked.py")
KINDS = ["str", "bytes", "bytearray", "int", "float", "tuple", "dict"]


def stop_line():
    with open(PROGRAM) as f:
        for number, line in enumerate(f, 1):
            if line.rstrip().endswith("# STOP here"):
                return number
    raise AssertionError("no STOP marker")


# Where each kind is held, as an expression at the stop and as the chain
# that must lead to it (a regular expression of the chain's line).
def places(kind, index):
    return [
        ("Holder.%s" % kind,
         r"module __main__ \.Holder -> class __main__\.Holder \.%s -> %s"
         % (kind, kind)),
        ("LIST[%d]" % index,
         r"module __main__ \.LIST -> list \[%d\] -> %s" % (index, kind)),
        ("TABLE[%r]" % kind,
         r"module __main__ \.TABLE -> dict \['%s'\] -> %s" % (kind, kind)),
        ("local_%s" % kind,
         r"frame #0 worker\(\) variable 'local_%s' -> %s" % (kind, kind)),
    ]


@pytest.fixture(scope="module")
def session():
    commands = ["break %d" % stop_line(), "continue",
                "p [gc.is_tracked(x) for x in (Holder.tuple, LIST[5], "
                "TABLE['tuple'], local_tuple, Holder.dict, LIST[6], "
                "TABLE['dict'], local_dict)]",
                "gc chain Big.data", "gc referrers Big.data"]
    for index, kind in enumerate(KINDS):
        for expr, _ in places(kind, index):
            commands += ["gc referrers " + expr, "gc chain " + expr]
    r = run_cpdb([PROGRAM], commands, timeout=120)
    assert r.rc == 0 and not r.err, r
    return r


def test_the_tuples_and_dicts_are_untracked(session):
    lines = after(session, "p [gc.is_tracked(x) for x in (Holder.tuple, "
                  "LIST[5], TABLE['tuple'], local_tuple, Holder.dict, "
                  "LIST[6], TABLE['dict'], local_dict)]")
    assert lines == ["$1 = [False, False, False, False, False, False, "
                     "False, False]"], lines


def test_a_50_mb_bytes_held_by_a_class_attribute(session):
    lines = after(session, "gc chain Big.data")
    assert lines[0] == "Chain of 2 references:", lines
    assert re.match(r"^  module __main__ \.Big -> class __main__\.Big "
                    r"\.data -> bytes b'\\x00\\x00", lines[1]), lines
    referrers = after(session, "gc referrers Big.data")
    assert referrers[0].startswith("1 referrer of bytes b'\\x00"), referrers
    assert referrers[1].endswith("  ['data']"), referrers


@pytest.mark.parametrize("kind", KINDS)
def test_referrers_list_the_holders(session, kind):
    index = KINDS.index(kind)
    for expr, _ in places(kind, index):
        lines = after(session, "gc referrers " + expr)
        assert re.match(r"^1 referrer of %s " % kind, lines[0]), (expr,
                                                                  lines)
        holder = lines[1]
        if expr.startswith("Holder."):
            assert re.match(r"^  \$\d+ = dict \(\d+ items\) "
                            r"\{'__module__': '__main__'", holder), holder
            assert holder.endswith("  ['%s']" % kind), holder
        elif expr.startswith("LIST"):
            assert re.match(r"^  \$\d+ = list \(7 items\) ", holder), holder
            assert holder.endswith("  [%d]" % index), holder
        elif expr.startswith("TABLE"):
            assert re.match(r"^  \$\d+ = dict \(7 items\) ", holder), holder
            assert holder.endswith("  ['%s']" % kind), holder
        else:
            assert holder == "  frame #0 worker() variable '%s'" % expr, \
                holder


@pytest.mark.parametrize("kind", KINDS)
def test_chain_leads_from_the_module_or_the_frame(session, kind):
    index = KINDS.index(kind)
    for expr, chain in places(kind, index):
        lines = after(session, "gc chain " + expr)
        assert re.match(r"^Chain of \d+ references?:$", lines[0]), (expr,
                                                                    lines)
        assert re.match("^  " + chain, lines[1]), (expr, lines[1])
        # The object itself is recorded last.
        assert re.match(r"^  \$\d+ = %s " % kind, lines[-1]), lines


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
