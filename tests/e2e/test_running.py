"""Running: continue [N], step [N], next [N], finish / return / r,
until [LINE], and what happens when the program ends."""


import os
import re

from conftest import program, run_cpdb
from transcript import after, error_lines, locations, prog_path, stop, \
    stop_after

STEP = prog_path("stepping.py")
END = ["result 61", "end", "Program exited with status 0."]


def step_run(commands):
    return run_cpdb([program("stepping.py")], commands)


def test_continue_to_breakpoints_then_to_the_end():
    r = step_run(["break inner", "continue", "continue", "delete",
                  "continue"])
    assert after(r, "continue")[0] == (
        "Breakpoint 1, inner (v=0) at %s:2" % STEP), r
    assert after(r, "continue", 1)[0] == (
        "Breakpoint 1, inner (v=1) at %s:2" % STEP), r
    assert after(r, "continue", 2) == END, r
    assert r.rc == 0


def test_continue_n_passes_the_breakpoint_n_minus_1_times():
    r = step_run(["break inner", "continue", "continue 2", "p v"])
    lines = after(r, "continue 2")
    assert lines[0].startswith("Will ignore next 1 crossings of "
                               "breakpoint 1"), r
    assert lines[1] == "Breakpoint 1, inner (v=2) at %s:2" % STEP, r
    assert after(r, "p v") == ["$1 = 2"]


def test_step_enters_calls_and_stops_on_return():
    r = step_run(["tbreak 9", "continue", "step", "step", "step", "step",
                  "step", "p total"])
    call = after(r, "step")
    assert call == ["--Call--", "> %s(1)inner()" % STEP,
                    "-> def inner(v):"], r
    assert stop_after(r, "step", 1) == ("stepping.py", 2, "inner")
    assert stop_after(r, "step", 2) == ("stepping.py", 3, "inner")
    ret = after(r, "step", 3)
    assert ret == ["--Return--", "> %s(3)inner()->10" % STEP,
                   "-> return w * 10"], r
    assert stop_after(r, "step", 4) == ("stepping.py", 8, "outer")
    assert after(r, "p total") == ["$1 = 10"]


def test_step_n():
    r = step_run(["tbreak 9", "continue", "step 4", "p v, w"])
    lines = after(r, "step 4")
    assert stop(lines) == ("stepping.py", 3, "inner"), r
    assert lines[-1] == "-> return w * 10"
    assert after(r, "p v, w") == ["$1 = (0, 1)"], r


def test_step_into_another_module():
    r = run_cpdb([program("bpmain.py")], ["tbreak 23", "continue", "step",
                                          "step", "p self.side"])
    util = prog_path("bppkg/util.py")
    assert after(r, "step") == ["--Call--", "> %s(8)area()" % util,
                                "-> def area(self):"], r
    assert stop_after(r, "step", 1) == ("util.py", 9, "area")
    assert after(r, "p self.side") == ["$1 = 3"]


def test_next_steps_over_calls():
    r = step_run(["break outer", "continue", "next", "next", "next",
                  "next 3", "p i, total"])
    assert stop_after(r, "next") == ("stepping.py", 8, "outer")
    assert stop_after(r, "next", 1) == ("stepping.py", 9, "outer")
    third = after(r, "next", 2)
    assert "--Call--" not in third and stop(third) == ("stepping.py", 8,
                                                       "outer"), r
    lines = after(r, "next 3")
    assert stop(lines) == ("stepping.py", 9, "outer"), r
    assert [loc[2] for loc in locations(lines)] == ["outer"] * 3, r
    assert "--Call--" not in lines
    assert after(r, "p i, total") == ["$1 = (2, 30)"], r


def test_next_at_end_of_function_returns_to_caller():
    r = step_run(["break inner", "continue", "next", "next", "next"])
    assert stop_after(r, "next") == ("stepping.py", 3, "inner")
    assert after(r, "next", 1) == ["--Return--",
                                   "> %s(3)inner()->10" % STEP,
                                   "-> return w * 10"], r
    assert stop_after(r, "next", 2) == ("stepping.py", 8, "outer")


def test_finish_shows_the_return_value():
    r = step_run(["break inner", "continue", "finish", "p $1 + 1"])
    assert after(r, "finish") == ["--Return--",
                                  "> %s(3)inner()->10" % STEP,
                                  "-> return w * 10",
                                  "Value returned is $1 = 10"], r
    assert after(r, "p $1 + 1") == ["$2 = 11"]


def test_return_and_r_are_finish():
    r = step_run(["break inner", "continue", "return", "continue", "r",
                  "p $1 + $2"])
    assert after(r, "return")[-1] == "Value returned is $1 = 10", r
    assert after(r, "r") == ["--Return--", "> %s(3)inner()->20" % STEP,
                             "-> return w * 10",
                             "Value returned is $2 = 20"], r
    assert after(r, "p $1 + $2") == ["$3 = 30"]


def test_finish_runs_until_the_selected_frame_returns():
    r = step_run(["break inner", "continue", "delete", "up", "finish",
                  "next"])
    assert after(r, "finish") == ["--Return--",
                                  "> %s(11)outer()->61" % STEP,
                                  "-> return extra",
                                  "Value returned is $1 = 61"], r
    assert stop_after(r, "next") == ("stepping.py", 16, "main"), r


def test_until_leaves_a_loop():
    r = step_run(["tbreak 9", "continue", "until", "p total, i"])
    assert stop_after(r, "until") == ("stepping.py", 10, "outer"), r
    assert after(r, "p total, i") == ["$1 = (60, 2)"], r


def test_until_line():
    r = step_run(["break outer", "continue", "until 10", "p total"])
    assert stop_after(r, "until 10") == ("stepping.py", 10, "outer"), r
    assert after(r, "p total") == ["$1 = 60"]


def test_until_stops_when_the_frame_returns():
    r = step_run(["break inner", "continue", "delete", "until 50"])
    lines = after(r, "until 50")
    assert stop(lines) in (("stepping.py", 3, "inner"),
                           ("stepping.py", 8, "outer")), r
    assert "result 61" not in lines


def test_until_line_before_current_is_an_error():
    r = step_run(["break outer", "continue", "until 5", "p n", "next"])
    errs = error_lines(r)
    assert len(errs) == 1 and "5" in errs[0] and "7" in errs[0], r
    assert after(r, "until 5") == []
    assert after(r, "p n") == ["$1 = 3"], r
    assert stop_after(r, "next") == ("stepping.py", 8, "outer"), r


def test_bad_counts_are_errors():
    r = step_run(["next 0", "step x", "continue -1", "next"])
    errs = error_lines(r)
    assert len(errs) == 3 and all("count" in e for e in errs), r
    assert after(r, "next 0") == [] and after(r, "step x") == []
    assert stop_after(r, "next") == ("stepping.py", 6, "<module>"), r


def test_program_end_prints_status_and_keeps_prompt():
    r = step_run(["continue", "next", "step", "continue", "p 6 * 7", "run",
                  "next"])
    assert after(r, "continue") == END, r
    assert after(r, "next") == [] and after(r, "step") == []
    assert after(r, "continue", 1) == []
    assert error_lines(r) == ["The program is not being run."] * 3, r
    assert after(r, "p 6 * 7") == ["$1 = 42"]
    assert stop_after(r, "run") == ("stepping.py", 1, "<module>")
    assert stop_after(r, "next", 1) == ("stepping.py", 6, "<module>")


def test_exit_message_ends_a_line():
    # The program's last output has no newline.
    r = run_cpdb([program("showenv.py"), "4"], ["continue"])
    assert r.rc == 4
    # cpdb cannot know where the program left the cursor (like gdb): the
    # message ends a line, and the prompt starts the next one.
    assert any(l.endswith("Program exited with status 4.")
               for l in r.out.splitlines()), r
    assert "Program exited with status 4.\n(cpdb) " in r.out


def test_next_n_stops_early_at_a_breakpoint():
    r = step_run(["break inner", "next 10", "p v", "next"])
    lines = after(r, "next 10")
    assert "Breakpoint 1, inner (v=0) at %s:2" % STEP in lines, r
    assert stop(lines) == ("stepping.py", 2, "inner"), r
    assert after(r, "p v") == ["$1 = 0"]
    # The rest of the count is dropped: one line only.
    assert stop_after(r, "next") == ("stepping.py", 3, "inner"), r


def test_finish_at_module_level_runs_to_the_module_return():
    # As pdb's "return": the module frame returns after its last line.
    r = step_run(["finish"])
    lines = after(r, "finish")
    assert lines[:2] == ["result 61", "end"], r
    assert "--Return--" in lines, r
    assert "> %s(22)<module>()->None" % STEP in lines, r


def test_step_into_generator_finaliser_at_return():
    # A suspended generator held only by a local is finalised when its
    # frame returns, as under plain python; cpdb keeps no extra reference
    # to the frame's locals, so "step" at the --Return-- stops in the
    # generator's cleanup (pdb, holding the locals, finalises it later).
    gen = os.path.join(os.path.dirname(os.path.dirname(STEP)), "pdbcorpus",
                       "genclose.py")
    r = run_cpdb([gen], ["break use_local_generator", "continue", "next",
                         "next", "step", "step", "step", "step"])
    kinds = [s[2] for s in r.stops]
    assert "use_local_generator" in kinds, r
    after_return = r.stops[r.stops.index(("genclose.py", 94,
                                          "use_local_generator")):]
    assert any(s[2] == "ticker" for s in after_return), r
    assert "GeneratorExit" in r.out, r


def test_jump_skips_lines(tmp_path):
    prog = tmp_path / "j.py"
    prog.write_text("def f():\n    x = 1\n    x = 2\n    x = 3\n"
                    "    return x\nprint('got', f())\n")
    r = run_cpdb([str(prog)], ["break 3", "continue", "jump 5", "p x",
                               "continue"])
    assert stop(after(r, "jump 5")) == ("j.py", 5, "f"), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert "got 1" in r.out, r


def test_jump_refused_outside_the_innermost_frame_or_into_a_block(tmp_path):
    prog = tmp_path / "j.py"
    prog.write_text("def f():\n    for i in range(2):\n        y = i\n"
                    "    return 0\nf()\n")
    r = run_cpdb([str(prog)], ["break 4", "continue", "jump 3", "up",
                               "jump 5", "continue"])
    errs = error_lines(r)
    assert len(errs) == 2, r
    assert errs[0].startswith("Jump failed: "), r
    assert "innermost frame" in errs[1], r
    assert r.rc == 0


def test_forked_children_run_free_and_the_parent_stops():
    # The debugger stays with the parent (gdb's follow-fork-mode parent):
    # a child made by os.fork or a multiprocessing pool runs the same
    # breakpointed function without stopping, and exits with its status.
    r = run_cpdb([program("forks.py")], ["break 4", "continue", "p x",
                                          "continue"], timeout=60)
    assert "child 9" in r.out and "child status 7" in r.out, r
    assert "[1, 4, 9]" in r.out, r
    assert r.out.count("Breakpoint 1, work") == 1, r
    assert after(r, "p x") == ["$1 = 4"], r
    assert "parent 16" in r.out
    assert r.rc == 0


def trace_counts(r, nth=0):
    line = [l for l in after(r, "info trace", nth) if "Events seen" in l][0]
    return {k: int(v) for v, k in
            re.findall(r"(\d+) (call|line|return|exception)", line)}


def test_frames_that_cannot_stop_get_no_line_events():
    # 20000 calls of a function without breakpoints, run with breakpoints
    # set elsewhere: only the first line and the breakpoint's line are
    # line events.  With "next" through main instead, every line is one.
    r = run_cpdb([program("hotloop.py")],
                 ["break never", "break done", "continue", "info trace",
                  "run", "break main", "continue", "next", "next", "next",
                  "info trace", "continue"])
    first = trace_counts(r)
    assert "Breakpoint 2, done (total=20000)" in r.out, r
    assert first["line"] <= 3, r
    second = trace_counts(r, 1)
    assert second["line"] >= 4, r


def test_breakpoints_stop_every_thread_and_the_program_ends():
    # A breakpoint stops the worker thread that runs the code, then the
    # main thread (tests/e2e/test_threads.py has the rest), and the
    # program ends as under python.
    r = run_cpdb([program("threads.py")], ["break work", "continue",
                                            "p tag", "continue", "p tag",
                                            "continue"], timeout=30)
    assert r.out.count("Breakpoint 1, work") == 2, r
    assert after(r, "p tag") == ["$1 = 10"], r
    assert after(r, "p tag", 1) == ["$2 = 1"], r
    assert "results [20, 2]" in r.out, r
    assert r.rc == 0
