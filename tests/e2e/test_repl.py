"""The command line: unique prefixes, pdb's short names, unknown and
ambiguous commands, help, Enter repeating the last command."""

import re

from conftest import program, run_cpdb
from transcript import after, error_lines, prog_path, stop_after

STEP = prog_path("stepping.py")


def step_run(commands):
    return run_cpdb([program("stepping.py")], commands)


def test_unique_prefixes():
    r = step_run(["br inner", "cont", "fin", "cond 1 v == 2", "cont",
                  "info br", "undisp"])
    assert after(r, "br inner") == ["Breakpoint 1 at %s:2" % STEP], r
    assert after(r, "cont")[0] == ("Breakpoint 1, inner (v=0) at %s:2"
                                   % STEP), r
    assert after(r, "fin")[-1] == "Value returned is $1 = 10", r
    assert after(r, "cont", 1)[0] == ("Breakpoint 1, inner (v=2) at %s:2"
                                      % STEP), r
    info = after(r, "info br")
    assert info[0].split()[:2] == ["Num", "Type"], r
    assert "\tstop only if v == 2" in info
    assert not r.err, r


def test_pdb_short_names():
    r = step_run(["b inner", "c", "n", "p w", "pp {'w': w}", "bt", "w",
                  "u", "d", "l", "s", "r", "q", "echo not-run\\n"])
    assert after(r, "b inner") == ["Breakpoint 1 at %s:2" % STEP], r
    assert stop_after(r, "c") == ("stepping.py", 2, "inner")
    assert stop_after(r, "n") == ("stepping.py", 3, "inner")
    assert after(r, "p w") == ["$1 = 1"]
    assert after(r, "pp {'w': w}") == ["$2 = {'w': 1}"]
    bt = after(r, "bt")
    assert len(bt) == 4 and bt[0].startswith("> #0") and "inner (v=0)" in \
        bt[0], r
    assert after(r, "w") == bt
    assert stop_after(r, "u") == ("stepping.py", 9, "outer")
    assert stop_after(r, "d") == ("stepping.py", 3, "inner")
    listing = after(r, "l")
    assert len(listing) == 11 and "->" in listing[2] and \
        listing[2].lstrip().startswith("3"), r
    assert after(r, "s") == ["--Return--", "> %s(3)inner()->10" % STEP,
                             "-> return w * 10"], r
    # "r" (finish) from a return stop: the caller's next line.
    assert stop_after(r, "r") == ("stepping.py", 8, "outer"), r
    assert "not-run" not in r.out
    assert r.rc == 0


def test_undefined_command():
    r = step_run(["xyzzy", "frobnicate now", "n"])
    assert error_lines(r) == ['Undefined command or name: "xyzzy".  '
                              'Try "help".',
                              'Undefined command: "frobnicate".  Try '
                              '"help".'], r
    assert after(r, "xyzzy") == [] and after(r, "frobnicate now") == []
    assert stop_after(r, "n") == ("stepping.py", 6, "<module>")


def test_ambiguous_prefix_lists_the_candidates():
    r = step_run(["co", "di", "n"])
    errs = error_lines(r)
    assert len(errs) == 2, r
    assert "co" in errs[0] and "continue" in errs[0] and \
        "condition" in errs[0], r
    assert "disable" in errs[1] and "display" in errs[1], r
    # Nothing ran: the program is still at its first line.
    assert after(r, "co") == [] and after(r, "di") == []
    assert stop_after(r, "n") == ("stepping.py", 6, "<module>")


def test_help_lists_the_classes():
    r = step_run(["help"])
    lines = after(r, "help")
    classes = [l.split(" -- ")[0].strip() for l in lines if " -- " in l]
    assert classes == ["running", "breakpoints", "stack", "data", "files",
                       "memory", "status", "support"], r


def test_help_on_a_command():
    r = step_run(["help break", "help b", "help bt", "help finish"])
    lines = after(r, "help break")
    assert lines[0] == "Usage: break [LOCATION] [if CONDITION]", r
    assert lines[1] == "Set a breakpoint at a line or function.", r
    assert "Aliases: b" in lines
    assert after(r, "help b") == lines
    assert after(r, "help bt")[0] == "Usage: backtrace [N]", r
    fin = after(r, "help finish")
    assert fin[0] == "Usage: finish"
    assert any("return" in l and "Aliases" in l for l in fin), r


def test_help_on_a_class():
    r = step_run(["help stack", "help running"])
    names = [l.split(" -- ")[0] for l in after(r, "help stack")
             if " -- " in l]
    assert names == ["backtrace", "frame", "up", "down", "exceptions",
                     "thread"], r
    names = [l.split(" -- ")[0] for l in after(r, "help running")
             if " -- " in l]
    for cmd in ("run", "continue", "step", "next", "finish", "until", "kill",
                "quit"):
        assert cmd in names, (cmd, r)


def test_help_on_a_subcommand():
    r = step_run(["help info frame", "help info"])
    assert after(r, "help info frame")[0] == "Usage: info frame", r
    subs = [l for l in after(r, "help info") if l.startswith("info ")]
    assert any(l.startswith("info breakpoints -- ") for l in subs), r
    assert any(l.startswith("info locals -- ") for l in subs), r


def test_help_summaries_end_as_sentences():
    # Each summary line is the first sentence of the command's help.
    r = step_run(["help info", "info", "help breakpoints"])
    for cmd in ("help info", "info", "help breakpoints"):
        for line in after(r, cmd):
            if " -- " in line:
                assert re.search(r"[^,;:]\.$", line), (line, r)


def test_help_unknown():
    r = step_run(["help frobnicate"])
    errs = error_lines(r)
    assert len(errs) == 1 and "frobnicate" in errs[0], r


def test_enter_repeats_next_and_step():
    r = step_run(["tbreak 9", "continue", "next", "", "", "step", "", ""])
    assert stop_after(r, "next") == ("stepping.py", 8, "outer")
    assert stop_after(r, "", 0) == ("stepping.py", 9, "outer"), r
    assert stop_after(r, "", 1) == ("stepping.py", 8, "outer"), r
    assert stop_after(r, "step") == ("stepping.py", 9, "outer")
    assert after(r, "", 2)[0] == "--Call--", r
    assert stop_after(r, "", 2) == ("stepping.py", 1, "inner")
    assert stop_after(r, "", 3) == ("stepping.py", 2, "inner")


def test_enter_repeats_a_count():
    r = step_run(["next 2", ""])
    assert stop_after(r, "next 2") == ("stepping.py", 14, "<module>")
    assert stop_after(r, "") == ("stepping.py", 22, "<module>"), r
    assert "result 61" in after(r, "")


def test_enter_does_not_repeat_run():
    r = step_run(["next", "run", ""])
    assert stop_after(r, "run") == ("stepping.py", 1, "<module>")
    assert after(r, "") == [], r
    assert r.out.count("Starting program") == 1


def test_enter_does_not_repeat_kill():
    r = step_run(["next", "kill", ""])
    assert after(r, "kill") == ["Program killed."]
    assert after(r, "") == [], r
    assert not r.err, r


def test_enter_does_not_repeat_delete():
    r = step_run(["break inner", "break outer", "delete 1", "",
                  "info breakpoints"])
    assert after(r, "") == [], r
    assert not r.err, r
    info = after(r, "info breakpoints")
    assert len(info) == 2 and info[1].startswith("2 "), r


def test_enter_after_a_non_repeating_command_does_nothing():
    r = step_run(["next", "break inner", ""])
    assert after(r, "") == [], r
    assert r.out.count("Breakpoint 1 at") == 1
    assert not r.err


def test_a_command_word_assigned_to_is_python():
    r = step_run(["c = 3", "n = c + 1", "p c, n", "next"])
    assert after(r, "c = 3") == [] and after(r, "n = c + 1") == []
    assert after(r, "p c, n") == ["$1 = (3, 4)"], r
    assert stop_after(r, "next") == ("stepping.py", 6, "<module>"), r
    assert not r.err, r


def test_comment_and_blank_lines_at_start_do_nothing():
    r = step_run(["# a comment", "", "n"])
    assert after(r, "# a comment") == [] and after(r, "") == []
    assert stop_after(r, "n") == ("stepping.py", 6, "<module>")
    assert not r.err
