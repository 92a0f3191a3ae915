"""Every reference of a chain through the standard library's C types is
named: exception -> traceback -> frame -> variable, functools.partial,
lru_cache, __slots__, staticmethod, generator frames, deque and
defaultdict items, logging's objects; gc refs names the fields of weak
references, defaultdict and generators."""

import re

from conftest import program, run_cpdb
from transcript import after

OBJ = r"<__main__\.Big object at 0x[0-9a-f]+>"

CHAINS = [
    ("EXC.__context__.__traceback__.tb_next.tb_frame.f_locals['x']",
     r"module __main__ \.EXC -> KeyError \.__context__ -> ValueError "
     r"\.__traceback__ -> traceback \.tb_next -> traceback \.tb_frame -> "
     r"frame fail\(\) at line \d+ \.f_locals\['x'\] -> "),
    ("PART.args[0]",
     r"module __main__ \.PART -> functools\.partial \.args -> tuple \[0\] "
     r"-> "),
    ("PART.keywords['key']",
     r"module __main__ \.PART -> functools\.partial \.keywords -> dict "
     r"\['key'\] -> "),
    ("cached(1)",
     r"module __main__ \.cached -> functools\._lru_cache_wrapper "
     r"\(its cache\) -> dict \[1\] -> "),
    ("INST.slot_a",
     r"module __main__ \.INST -> __main__\.Slotted \.slot_a -> "),
    ("Slotted.__dict__['helper'].__func__.__dict__['note']",
     r"module __main__ \.Slotted -> class __main__\.Slotted \.helper -> "
     r"staticmethod \.__func__ -> function Slotted\.helper \.note -> "),
    # 3.11+ keep the frame inside the generator; 3.10 has a frame object
    ("GEN.gi_frame.f_locals['g_local']",
     r"module __main__ \.GEN -> generator \.gi_frame"
     r"(\.| -> frame gen\(\) at line \d+ \.)f_locals\['g_local'\] -> "),
    ("DQ[1]", r"module __main__ \.DQ -> collections\.deque \[1\] -> "),
    ("DD['b']",
     r"module __main__ \.DD -> collections\.defaultdict \['b'\] -> "),
    # set with setattr: no code names it; the class's shared keys do
    ("HOLD.dynamic", r"module __main__ \.HOLD -> __main__\.Holder "
     r"\.dynamic -> "),
    ("LOG.handlers[0].extra",
     r"module __main__ \.LOG -> logging\.Logger \.handlers -> list \[0\] -> "
     r"logging\.StreamHandler \.extra -> "),
]


def names_run(commands):
    return run_cpdb([program("heapnames.py")],
                    ["break 94", "continue"] + commands)


def test_chains_through_c_types_name_every_reference():
    r = names_run(["gc chain " + expr for expr, _ in CHAINS])
    for expr, want in CHAINS:
        lines = after(r, "gc chain " + expr)
        assert re.match(r"^Chain of \d+ references?:$", lines[0]), lines
        assert "(refers to)" not in lines[1], lines[1]
        assert re.match("^  " + want + OBJ + "$", lines[1]), (want, lines[1])


def test_refs_name_the_fields_of_c_objects():
    r = names_run(["gc refs WREF", "gc refs DD", "gc refs EXC",
                   "gc refs LOG", "gc refs GEN"])
    weak = after(r, "gc refs WREF")
    assert any(re.match(r"^  \.__callback__ -> \$\d+ = function on_gone$", l)
               for l in weak), weak
    dd = after(r, "gc refs DD")
    assert any(re.match(r"^  \.default_factory -> \$\d+ = class list$", l)
               for l in dd), dd
    exc = after(r, "gc refs EXC")
    for field in (".args", ".__traceback__"):
        assert any(l.startswith("  %s -> " % field) for l in exc), exc
    assert any(l.startswith("  .__context__ -> ")
               or l.startswith("  .__cause__ -> ") for l in exc), exc
    log = after(r, "gc refs LOG")
    # attributes inline (3.11+), or in a __dict__ of their own (3.10)
    assert any(re.match(r"^  \.manager -> \$\d+ = <logging\.Manager ", l)
               or l.startswith("  .__dict__ -> ") for l in log), log
    gen = after(r, "gc refs GEN")
    assert any(re.match(r"^  \(the function it runs\) -> \$\d+ = function "
                        r"gen$", l) or l.startswith("  .gi_frame")
               for l in gen), gen
    for lines in (weak, dd, exc, log, gen):
        assert not any("(refers to)" in l for l in lines), lines


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
