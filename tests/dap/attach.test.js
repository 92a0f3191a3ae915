'use strict';
/* attach {pid} to a plain python process (the build's CPDB_PYTHON),
   started here: stop it at a breakpoint, look at it, detach and leave it
   running, or end it with terminateDebuggee.  Skipped, with the reason,
   where the kernel refuses ptrace. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PYTHON, lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };
const TARGET = program('attach_target.py');

/* Return: why ptrace is refused here, or false (the same check as the
   end-to-end attach tests: seize a child of our own). */
function ptraceRefused() {
    const code = [
        'import ctypes, os, subprocess',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'c = subprocess.Popen(["sleep", "10"])',
        'try:',
        '    if libc.ptrace(0x4206, c.pid, None, None) != 0:',
        '        print("ptrace refused: " + os.strerror(ctypes.get_errno()))',
        '    else:',
        '        libc.ptrace(17, c.pid, None, None)',
        'finally:',
        '    c.kill()',
    ].join('\n');
    const r = cp.spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
    return r.stdout.trim() || (r.status !== 0 ? r.stderr.trim() : false);
}
const REFUSED = ptraceRefused();

/* A target process: started, "ready" read. */
async function startTarget() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpdb-dap-attach-'));
    const stop = path.join(dir, 'stop');
    const env = Object.assign({}, process.env);
    delete env.PYTHONPATH;
    const proc = cp.spawn(PYTHON, ['-u', TARGET, stop],
                          { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const t = { proc, dir, stop, out: '', err: '' };
    t.exit = new Promise((resolve) => proc.on('exit', (code, signal) =>
        resolve({ code, signal })));
    proc.stderr.on('data', (d) => { t.err += d; });
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ready')), 15000);
        proc.stdout.on('data', (d) => {
            t.out += d;
            if (t.out.includes('ready')) {
                clearTimeout(timer);
                resolve();
            }
        });
    });
    t.finish = async () => {
        fs.writeFileSync(stop, '');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
        const x = await t.exit;
        clearTimeout(timer);
        fs.rmSync(dir, { recursive: true, force: true });
        return x;
    };
    return t;
}

/* Return: the breakpoint stop after attaching.  Attaching may stop the
   target first (reason entry or pause, as cpdb -p does); that stop is
   continued from. */
async function attachedAtTick(s, target) {
    const tick = lineOf('attach_target.py', 'tick');
    await s.begin('attach', { pid: target.proc.pid },
                  { breakpoints: { [TARGET]: [tick] } });
    let ev = await s.stopped();
    if (ev.body.reason !== 'breakpoint') {
        assert.ok(['entry', 'pause'].includes(ev.body.reason),
                  ev.body.reason);
        await s.request('continue', { threadId: ev.body.threadId });
        ev = await s.stopped('breakpoint');
    }
    assert.equal(ev.top.line, tick);
    assert.equal(ev.top.name, 'tick');
    return ev;
}

test('attach to a pid, stop at a breakpoint, detach: it runs on', {
    timeout: 60000, skip: REFUSED }, async () => {
    const target = await startTarget();
    try {
        await withSession(async (s) => {
            const ev = await attachedAtTick(s, target);
            const r = await s.evaluate('n >= 0', ev.top.id, 'watch');
            assert.equal(r.result, 'True');
            const threads = (await s.request('threads')).body.threads;
            assert.ok(threads.some((t) => t.name === 'MainThread'));
            await s.request('setBreakpoints', { source: { path: TARGET },
                                                breakpoints: [] });
            await s.request('disconnect', { terminateDebuggee: false });
            await s.waitExit();
        });
        /* Detached and running: it sees the stop file and ends well. */
        assert.equal(target.proc.exitCode, null, 'target still running');
        const x = await target.finish();
        assert.equal(x.code, 0, target.err);
        assert.match(target.out, /ticks True\n/);
    } finally {
        target.proc.kill('SIGKILL');
    }
});

test('attach, then disconnect with terminateDebuggee ends the target', {
    timeout: 60000, skip: REFUSED }, async () => {
    const target = await startTarget();
    try {
        await withSession(async (s) => {
            await attachedAtTick(s, target);
            await s.request('disconnect', { terminateDebuggee: true });
            await s.waitExit();
        });
        const timer = setTimeout(() => target.proc.kill('SIGKILL'), 10000);
        const x = await target.exit;
        clearTimeout(timer);
        /* Killed, by whichever signal: not ended by itself. */
        assert.ok(x.signal !== null || x.code !== 0, JSON.stringify(x));
        assert.doesNotMatch(target.out, /ticks/);
    } finally {
        target.proc.kill('SIGKILL');
        fs.rmSync(target.dir, { recursive: true, force: true });
    }
});

test('attach to a pid that is not a process is an error response', T,
     () => withSession(async (s) => {
    await s.request('initialize', { adapterID: 'cpdb', linesStartAt1: true,
                                    columnsStartAt1: true });
    /* A process of ours that has ended: its pid names no process. */
    const gone = cp.spawnSync('true').pid;
    const msg = await s.requestFails('attach', { pid: gone });
    assert.match(msg, new RegExp(`no process with id ${gone}`, 'i'));
    /* The adapter is still up and answers. */
    const again = await s.requestFails('attach', { pid: 'twelve' });
    assert.match(again, /pid/);
}));
