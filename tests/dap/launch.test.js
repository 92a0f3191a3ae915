'use strict';
/* launch: program, module, args, cwd, env, stopOnEntry; the program's
   stdout and stderr as output events; its end (exited, terminated);
   disconnect and terminate. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PROGRAMS, lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };

test('launch with args, cwd and env: output events, exit code 3', T,
     () => withSession(async (s) => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cpdb-dap-'));
    const cwdReal = fs.realpathSync(cwd);
    try {
        const init = await s.launch({
            program: program('launched.py'), args: ['3', 'two words'],
            cwd, env: { CPDB_DAP_TEST: 'from-launch' },
        });
        assert.equal(init.capabilities.supportsConfigurationDoneRequest,
                     true);
        const exited = await s.event('exited');
        assert.equal(exited.body.exitCode, 3);
        await s.event('terminated');
        const out = s.output('stdout');
        assert.match(out, /argv=\['3', 'two words'\]\n/);
        assert.ok(out.includes(`cwd=${cwdReal}\n`), out);
        assert.match(out, /env=from-launch\n/);
        assert.equal(s.output('stderr'), 'to stderr\n');
        /* The exited event comes before terminated. */
        const names = s.events.map((e) => e.event);
        assert.ok(names.lastIndexOf('exited') < names.indexOf('terminated'),
                  names.join(' '));
    } finally {
        fs.rmSync(cwd, { recursive: true, force: true });
    }
}));

test('a program that ends by itself exits 0', T, () => withSession(
    async (s) => {
    await s.launch({ program: program('launched.py'), args: ['0'] });
    assert.equal((await s.event('exited')).body.exitCode, 0);
    await s.event('terminated');
}));

test('stopOnEntry stops with reason entry at the first line', T,
     () => withSession(async (s) => {
    await s.launch({ program: program('launched.py'), args: ['0'],
                     stopOnEntry: true });
    const ev = await s.stopped('entry');
    assert.equal(ev.body.allThreadsStopped, true);
    assert.equal(ev.top.line, lineOf('launched.py', 'first'));
    assert.equal(ev.top.source.path, program('launched.py'));
    /* Nothing ran yet. */
    assert.equal(s.output('stdout'), '');
    await s.request('continue', { threadId: ev.body.threadId });
    assert.equal((await s.event('exited')).body.exitCode, 0);
    assert.match(s.output('stdout'), /argv=\['0'\]/);
}));

test('launch of a module with args, in cwd', T, () => withSession(
    async (s) => {
    await s.launch({ module: 'dapmod', args: ['x', '--y'], cwd: PROGRAMS,
                     stopOnEntry: true });
    const ev = await s.stopped('entry');
    assert.equal(ev.top.source.path, program('dapmod.py'));
    await s.request('continue', { threadId: ev.body.threadId });
    await s.event('exited');
    assert.match(s.output('stdout'),
                 /module=__main__ argv=\['x', '--y'\]\n/);
}));

test('without stopOnEntry the program runs to its end', T,
     () => withSession(async (s) => {
    await s.launch({ program: program('launched.py'), args: ['5'] });
    assert.equal((await s.event('exited')).body.exitCode, 5);
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
}));

test('disconnect at a stop ends the launched program and cpdb', T,
     () => withSession(async (s) => {
    const marker = path.join(os.tmpdir(), `cpdb-dap-disc-${process.pid}`);
    fs.rmSync(marker, { force: true });
    await s.launch({ program: program('spin.py'), args: ['0.2', marker],
                     stopOnEntry: true });
    await s.stopped('entry');
    await s.request('disconnect', {});
    const exit = await s.waitExit();
    assert.equal(exit.signal, null);
    assert.equal(fs.existsSync(marker), false,
                 'the program went on after disconnect');
}));

test('terminate ends the program: exited, terminated, then disconnect',
     T, () => withSession(async (s) => {
    const marker = path.join(os.tmpdir(), `cpdb-dap-term-${process.pid}`);
    fs.rmSync(marker, { force: true });
    await s.launch({ program: program('spin.py'), args: ['0.3', marker] },
                   { breakpoints: { [program('spin.py')]:
                                    [lineOf('spin.py', 'spin-body')] } });
    await s.stopped('breakpoint');
    await s.request('terminate', {});
    await s.event('exited');
    await s.event('terminated');
    await s.request('disconnect', {});
    await s.waitExit();
    assert.equal(fs.existsSync(marker), false,
                 'the program went on after terminate');
}));

test('end of the client stream is a disconnect', T, () => withSession(
    async (s) => {
    await s.launch({ program: program('spin.py'), args: ['30'],
                     stopOnEntry: true });
    await s.stopped('entry');
    s.proc.stdin.end();
    const exit = await s.waitExit();
    assert.equal(exit.signal, null);
}));

test('--dap --listen: one client over TCP, with the token', T,
     () => withSession(async (s) => {
    assert.match(s.token, /^[0-9a-f]{16,}$/);
    /* A launch with another token: as with --listen, the connection is
       dropped and the listener waits for the next. */
    await s.request('initialize', { adapterID: 'cpdb', linesStartAt1: true,
                                    columnsStartAt1: true });
    s.dc.launchRequest({ program: program('launched.py'), args: ['4'],
                        token: 'f00d' }).catch(() => {});
    await Promise.race([s.closed, s.event('nothing', () => false)]);
    await s.until(() => /wrong token/.test(s.stderr), 'wrong token');
    assert.equal(s.exited, null);
    /* The right token launches. */
    await s.connect();
    await s.begin('launch', { program: program('launched.py'), args: ['4'],
                              token: s.token });
    assert.equal((await s.event('exited')).body.exitCode, 4);
    assert.match(s.output('stdout'), /argv=\['4'\]\n/);
    assert.equal(s.output('stderr'), 'to stderr\n');
    await s.event('terminated');
}, { listen: true }));
