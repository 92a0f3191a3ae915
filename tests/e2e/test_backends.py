"""The trace backends: legacy (a C trace function) everywhere, monitoring
(sys.monitoring) on 3.12+, chosen with "set backend" even while the
program is stopped."""

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines


def test_show_backend_names_the_default():
    r = run_cpdb([program("basic.py")], ["show backend"],
                 env={"CPDB_BACKEND": ""})
    want = "monitoring" if python_version() >= (3, 12) else "legacy"
    assert after(r, "show backend") == [
        'The trace backend is "%s" (the default here).' % want], r


def test_switch_backend_while_stopped_keeps_stopping():
    if python_version() < (3, 12):
        r = run_cpdb([program("basic.py")], ["set backend monitoring"])
        errs = error_lines(r)
        assert len(errs) == 1 and "3.12" in errs[0], r
        return
    # Each switch happens at a stop; breakpoints, next and finish go on
    # working under the new backend.
    r = run_cpdb([program("basic.py")],
                 ["break add", "continue", "set backend legacy",
                  "show backend", "next", "continue", "p a, b",
                  "set backend monitoring", "finish", "continue", "p a, b",
                  "continue"], env={"CPDB_BACKEND": ""})
    assert after(r, "show backend") == ['The trace backend is "legacy".'], r
    assert "$1 = (0, 1)" in r.out, r
    assert "Value returned is $2 = 1" in r.out, r
    assert "$3 = (1, 2)" in r.out, r
    assert "Program exited with status 3." in r.out, r


def test_unknown_backend_is_refused():
    r = run_cpdb([program("basic.py")], ["set backend fast", "show backend"])
    errs = error_lines(r)
    assert len(errs) == 1 and '"legacy" or "monitoring"' in errs[0], r
