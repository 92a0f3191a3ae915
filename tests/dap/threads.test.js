'use strict';
/* Threads: the threads request names them, a breakpoint in a worker
   stops with its threadId, thread events; pause of a running loop. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };
const THREADS = program('threads3.py');

test('three named threads: listed, and a breakpoint in worker-b stops ' +
     'with its threadId', T, () => withSession(async (s) => {
    const body = lineOf('threads3.py', 'step-body');
    await s.launch({ program: THREADS }, {
        breakpoints: { [THREADS]: [{ line: body,
                                     condition: 'tag == "b"' }] } });
    const ev = await s.stopped('breakpoint');
    assert.equal(ev.body.allThreadsStopped, true);
    assert.equal(ev.top.line, body);
    assert.equal(ev.top.name, 'step');
    const threads = (await s.request('threads')).body.threads;
    const byName = {};
    for (const t of threads) {
        byName[t.name] = t.id;
    }
    for (const name of ['MainThread', 'worker-a', 'worker-b', 'worker-c']) {
        assert.ok(name in byName, `${name} in ${Object.keys(byName)}`);
    }
    assert.equal(new Set(threads.map((t) => t.id)).size, threads.length);
    assert.equal(ev.body.threadId, byName['worker-b']);
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.tag.value, "'b'");
    /* Another thread's stack: worker-a is in worker (or below it). */
    const st = (await s.request('stackTrace',
                                { threadId: byName['worker-a'] })).body;
    assert.ok(st.stackFrames.some((f) => f.name === 'worker'),
              st.stackFrames.map((f) => f.name).join(','));
    await s.request('continue', { threadId: ev.body.threadId });
    assert.equal((await s.event('exited')).body.exitCode, 0);
    assert.match(s.output('stdout'), /threads done\n/);
}));

/* Return: the threadIds of the thread events with that reason. */
function threadEvents(s, reason) {
    return s.events.filter((e) => e.event === 'thread' &&
                           e.body.reason === reason)
        .map((e) => e.body.threadId);
}

test('thread events: started for each worker, exited when it ends', T,
     () => withSession(async (s) => {
    const body = lineOf('threads3.py', 'step-body');
    const done = lineOf('threads3.py', 'done');
    await s.launch({ program: THREADS }, {
        breakpoints: { [THREADS]: [{ line: body, condition: 'tag == "c"' },
                                   { line: done }] } });
    const ev = await s.stopped('breakpoint');
    const threads = (await s.request('threads')).body.threads;
    const workers = threads.filter((t) => t.name.startsWith('worker-'))
        .map((t) => t.id);
    assert.equal(workers.length, 3);
    const started = threadEvents(s, 'started');
    for (const id of workers) {
        assert.ok(started.includes(id), `thread ${id} started: ` +
                  JSON.stringify(started));
    }
    /* At a stop after the workers were joined, they were told gone. */
    await s.request('continue', { threadId: ev.body.threadId });
    const after = await s.stopped('breakpoint');
    assert.equal(after.top.line, done);
    const exited = threadEvents(s, 'exited');
    for (const id of workers) {
        assert.ok(exited.includes(id), `thread ${id} exited: ` +
                  JSON.stringify(exited));
    }
    const left = (await s.request('threads')).body.threads
        .map((t) => t.name);
    assert.deepEqual(left, ['MainThread']);
}));

test('a breakpoint set at a stop in a worker, on a line the main ' +
     'thread has yet to run, stops the main thread there', T,
     () => withSession(async (s) => {
    const body = lineOf('threads3.py', 'step-body');
    const done = lineOf('threads3.py', 'done');
    await s.launch({ program: THREADS }, {
        breakpoints: { [THREADS]: [{ line: body,
                                     condition: 'tag == "a"' }] } });
    const ev = await s.stopped('breakpoint');
    /* The main thread's module frame already runs (it waits for the
       workers): the new breakpoint must reach it. */
    await s.request('setBreakpoints', { source: { path: THREADS },
                                        breakpoints: [{ line: done }] });
    await s.request('continue', { threadId: ev.body.threadId });
    const after = await s.stopped('breakpoint');
    assert.equal(after.top.line, done);
    assert.equal(after.top.name, '<module>');
    const threads = (await s.request('threads')).body.threads;
    const main = threads.find((t) => t.name === 'MainThread');
    assert.equal(after.body.threadId, main.id);
}));

test('pause stops a running loop with reason pause', T, () => withSession(
    async (s) => {
    await s.launch({ program: program('spin.py'), args: ['30'] });
    await s.waitOutput('stdout', 'spinning\n');
    await new Promise((r) => setTimeout(r, 200));
    const threads = (await s.request('threads')).body.threads;
    const main = threads.find((t) => t.name === 'MainThread');
    assert.ok(main, threads.map((t) => t.name).join(','));
    await s.request('pause', { threadId: main.id });
    const ev = await s.stopped('pause');
    assert.equal(ev.body.threadId, main.id);
    assert.equal(ev.top.name, 'spin');
    assert.equal(ev.top.source.path, program('spin.py'));
    const r = await s.evaluate('x > 0', ev.top.id, 'watch');
    assert.equal(r.result, 'True');
    /* It goes on after the pause, and stops again at a breakpoint. */
    const body = lineOf('spin.py', 'spin-body');
    await s.request('setBreakpoints', { source: { path: program('spin.py') },
                                        breakpoints: [{ line: body }] });
    await s.request('continue', { threadId: main.id });
    const again = await s.stopped('breakpoint');
    assert.equal(again.top.line, body);
}));
