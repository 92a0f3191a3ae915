"""Stack: backtrace [N] / bt / where / w, frame N, up [N], down [N],
info frame; in a live program and in post-mortem."""

import re

from conftest import program, run_cpdb
from transcript import after, error_lines, prog_path, stop_after

STEP = prog_path("stepping.py")
EXITS = prog_path("exits.py")


def frame_re(selected, level, func, args, path, line):
    return re.compile(r"^%s#%d\s+%s \(%s\) at %s:%d$"
                      % ("> " if selected else "  ", level, re.escape(func),
                         re.escape(args), re.escape(path), line))


def check_frames(lines, expected):
    assert len(lines) == len(expected), lines
    for line, exp in zip(lines, expected):
        assert frame_re(*exp).match(line), (line, exp)


IN_INNER = [(True, 0, "inner", "v=0", STEP, 2),
            (False, 1, "outer", "n=3", STEP, 9),
            (False, 2, "main", "", STEP, 15),
            (False, 3, "<module>", "", STEP, 21)]


def in_inner(commands):
    return run_cpdb([program("stepping.py")],
                    ["break inner", "continue"] + commands)


def test_backtrace_shows_each_frame_with_its_arguments():
    r = in_inner(["backtrace"])
    check_frames(after(r, "backtrace"), IN_INNER)


def test_backtrace_aliases():
    r = in_inner(["backtrace", "bt", "where", "w"])
    full = after(r, "backtrace")
    assert len(full) == 4
    for alias in ("bt", "where", "w"):
        assert after(r, alias) == full, (alias, r)


def test_backtrace_with_count():
    r = in_inner(["bt 2", "bt -1", "bt 10"])
    lines = after(r, "bt 2")
    check_frames(lines[:2], IN_INNER[:2])
    assert lines[2:] == ["(More stack frames follow...)"], r
    check_frames(after(r, "bt -1"), IN_INNER[3:])
    check_frames(after(r, "bt 10"), IN_INNER)


def test_backtrace_arguments_of_many_kinds():
    r = run_cpdb([program("datavals.py")], ["break compute", "continue",
                                            "bt 1"])
    lines = after(r, "bt 1")
    assert re.match(r"^> #0\s+compute \(a=1, b=2, scale=2, rest=\(3,\), "
                    r"kw=\{'extra': 'e'\}\) at %s:\d+$"
                    % re.escape(prog_path("datavals.py")), lines[0]), r


def test_frame_n_selects_a_frame():
    r = in_inner(["frame 1", "p n, total, i", "frame", "frame 2",
                  "info locals", "frame 0", "p v"])
    assert after(r, "frame 1") == ["> %s(9)outer()" % STEP,
                                   "-> total += inner(i)"], r
    assert after(r, "p n, total, i") == ["$1 = (3, 0, 0)"], r
    # "frame" alone describes the selected frame.
    lines = after(r, "frame")
    assert frame_re(True, 1, "outer", "n=3", STEP, 9).match(lines[0]), r
    assert lines[1:] == ["> %s(9)outer()" % STEP, "-> total += inner(i)"]
    assert stop_after(r, "frame 2") == ("stepping.py", 15, "main")
    assert after(r, "info locals") == ["No locals."], r
    assert stop_after(r, "frame 0") == ("stepping.py", 2, "inner")
    assert after(r, "p v") == ["$2 = 0"]


def test_frame_out_of_range():
    r = in_inner(["frame 9", "p v"])
    errs = error_lines(r)
    assert len(errs) == 1 and "9" in errs[0] and "0 to 3" in errs[0], r
    assert after(r, "frame 9") == []
    assert after(r, "p v") == ["$1 = 0"]     # still in frame 0


def test_up_and_down():
    r = in_inner(["up", "p n", "up 2", "up", "down", "down 5", "down",
                  "bt"])
    assert after(r, "up") == ["> %s(9)outer()" % STEP,
                              "-> total += inner(i)"], r
    assert after(r, "p n") == ["$1 = 3"]
    assert stop_after(r, "up 2") == ("stepping.py", 21, "<module>"), r
    assert after(r, "up", 1) == []
    assert stop_after(r, "down") == ("stepping.py", 15, "main"), r
    assert stop_after(r, "down 5") == ("stepping.py", 2, "inner"), r
    assert after(r, "down", 1) == []
    errs = error_lines(r)
    assert errs == ["Initial frame selected; you cannot go up.",
                    "Bottom (innermost) frame selected; you cannot go "
                    "down."], r
    check_frames(after(r, "bt"), IN_INNER)


def test_backtrace_marks_the_selected_frame():
    r = in_inner(["up 2", "bt"])
    expected = [(lvl == 2,) + f[1:] for lvl, f in enumerate(IN_INNER)]
    check_frames(after(r, "bt"), expected)


def test_info_frame():
    r = in_inner(["up", "info frame"])
    lines = after(r, "info frame")
    assert re.match(r"^Stack level 1, frame at 0x[0-9a-f]+:$", lines[0]), r
    assert lines[1] == " function outer (n=3) in %s:9" % STEP, r
    assert re.match(r"^ called by frame at 0x[0-9a-f]+ \(level 2, main\)$",
                    lines[2]), r
    assert re.match(r"^ caller of frame at 0x[0-9a-f]+ \(level 0, "
                    r"inner\)$", lines[3]), r
    assert re.match(r"^ code object at 0x[0-9a-f]+, first line 6, "
                    r"1 argument$", lines[4]), r


def test_info_frame_innermost():
    r = in_inner(["info frame"])
    lines = after(r, "info frame")
    assert lines[0].startswith("Stack level 0, frame at 0x"), r
    assert lines[1] == " function inner (v=0) in %s:2" % STEP
    assert not any("caller of" in l for l in lines), r


def test_no_stack_after_the_end():
    r = run_cpdb([program("stepping.py")], ["continue", "bt", "up",
                                             "frame 0"])
    assert after(r, "bt") == [] and after(r, "up") == []
    errs = error_lines(r)
    assert len(errs) == 3 and all("not being run" in e for e in errs), r


def test_post_mortem_stack():
    r = run_cpdb([program("exits.py"), "exc"],
                 ["continue", "bt", "frame 2", "p mode", "down", "p x",
                  "info locals"])
    lines = after(r, "continue")
    assert lines[-2] == "> %s(7)fail()" % EXITS, r
    check_frames(after(r, "bt"), [(True, 0, "fail", "x=21", EXITS, 7),
                                  (False, 1, "outer", "x=20", EXITS, 11),
                                  (False, 2, "<module>", "", EXITS, 23)])
    assert after(r, "frame 2") == ["> %s(23)<module>()" % EXITS,
                                   "-> outer(20)"], r
    assert after(r, "p mode") == ["$1 = 'exc'"]
    assert stop_after(r, "down") == ("exits.py", 11, "outer"), r
    assert after(r, "p x") == ["$2 = 20"]
    assert after(r, "info locals") == ["x = 20"], r
