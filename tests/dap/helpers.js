'use strict';
/*
 * What the DAP tests share: a Session runs `$CPDB --dap` under the VS Code
 * team's DebugClient (@vscode/debugadapter-testsupport), keeps every event
 * it sends (DebugClient's waitForEvent sees only events that come after it
 * is called, and a stop can come before the test asks for it), and bounds
 * every request and wait with a timeout that reports cpdb's stderr.
 *
 * Environment, as for the end-to-end tests (tests/run.py sets it): CPDB,
 * the cpdb binary under test; CPDB_PYTHON, a python of the same version
 * (for the attach targets).  Run by hand:
 *     CPDB=$PWD/build/dev/src/cpdb node --test tests/dap/*.test.js
 */
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const ROOT = path.resolve(__dirname, '..', '..');
const CPDB = process.env.CPDB || path.join(ROOT, 'build', 'dev', 'src',
                                           'cpdb');
const PYTHON = process.env.CPDB_PYTHON || '/usr/bin/python3';
const PROGRAMS = path.join(__dirname, 'programs');
const TIMEOUT = 10000;          /* ms for one request or one event */
/* What cpdb --dap --listen says on stderr: address, port, token. */
const LISTENING = /listening on (\S+):(\d+) \(token (\w+)\)/;
const EXIT_GRACE = 500;         /* ms to read what an adapter wrote last */
/* Extra launch arguments (JSON), to run these tests against another
   adapter while developing them, e.g. {"console": "internalConsole"}. */
const LAUNCH_EXTRA = JSON.parse(process.env.CPDB_DAP_LAUNCH_EXTRA || '{}');

/* Return: the absolute path of a program in tests/dap/programs. */
function program(name) {
    return path.join(PROGRAMS, name);
}

/* Return: the line number (1-based) of the only line of the program that
   holds the marker comment "# @MARK": tests name lines by marker, not by
   number, so that editing a program does not silently move a stop. */
function lineOf(name, mark) {
    const lines = fs.readFileSync(program(name), 'utf8').split('\n');
    const hits = [];
    lines.forEach((l, i) => {
        if (new RegExp('# @' + mark + '\\b').test(l)) {
            hits.push(i + 1);
        }
    });
    assert.equal(hits.length, 1, `marker @${mark} in ${name}`);
    return hits[0];
}

/* Return: promise, or a rejection saying what was awaited after ms
   milliseconds, or soon after the adapter of session exited (what it
   wrote before its exit is read first: the grace period). */
function within(promise, ms, what, session) {
    let timer;
    let grace;
    const late = new Promise((_, reject) => {
        const fail = (why) => reject(new Error(
            `${what}: ${why}` + (session ? session.diagnostics() : '')));
        timer = setTimeout(() => fail(`nothing after ${ms} ms`), ms);
        if (session && session.exitPromise) {
            session.exitPromise.then((x) => {
                grace = setTimeout(() => fail(
                    `cpdb exited (${x.code === null ? x.signal : x.code})`),
                    EXIT_GRACE);
            });
        }
    });
    return Promise.race([promise, late]).finally(() => {
        clearTimeout(timer);
        clearTimeout(grace);
    });
}

class Session {
    /* opts.env: extra environment of the adapter; opts.command and
       opts.arg: the adapter's command (looked up on the PATH of env) and
       its one argument (DebugClient passes one), by default $CPDB --dap;
       opts.cwd: its folder; opts.listen: run `$CPDB --dap --listen 0`
       instead and connect to it over TCP (this.token is its token). */
    constructor(opts = {}) {
        const env = Object.assign({}, process.env, opts.env || {});
        delete env.PYTHONPATH;
        this.spawnOptions = { env, cwd: opts.cwd || ROOT };
        this.listen = !!opts.listen;
        this.events = [];       /* every event, in order */
        this.taken = new Set(); /* events a wait has returned */
        this.waiters = [];
        this.stderr = '';
        this.exited = null;     /* the adapter's exit, once it is known */
        this.client(new DebugClient(opts.command || CPDB,
                                    opts.arg || '--dap', 'cpdb',
                                    this.spawnOptions, false));
    }

    /* Makes dc this session's client, its events kept in this.events. */
    client(dc) {
        this.dc = dc;
        const emit = dc.emit.bind(dc);
        dc.emit = (name, ev) => {
            if (ev && ev.type === 'event') {
                this.events.push(ev);
                this.waiters.slice().forEach((w) => w());
            }
            return emit(name, ev);
        };
    }

    /* With opts.listen: a new client connects to the same adapter;
       this.closed is resolved when the adapter closes the connection. */
    async connect() {
        this.client(new DebugClient(CPDB, '--dap', 'cpdb'));
        await this.dc.start(this.port);
        const socket = this.dc._socket;
        /* The adapter closing the connection is its exit's business. */
        socket.on('error', () => {});
        this.closed = new Promise((resolve) => socket.on('close', resolve));
    }

    async start() {
        if (this.listen) {
            this.watch(cp.spawn(CPDB, ['--dap', '--listen', '0'],
                                Object.assign({ stdio: ['ignore', 'ignore',
                                                        'pipe'] },
                                              this.spawnOptions)));
            const m = await within(new Promise((resolve) => {
                this.proc.stderr.on('data', () => {
                    const found = LISTENING.exec(this.stderr);
                    if (found) {
                        resolve(found);
                    }
                });
            }), TIMEOUT, 'the line "cpdb: listening on ..."', this);
            this.port = Number(m[2]);
            this.token = m[3];
            await this.connect();
        } else {
            await this.dc.start();
            this.watch(this.dc._adapterProcess);
            /* An adapter that exits makes writes to it fail (EPIPE): the
               request waiting for its answer reports the exit instead. */
            this.proc.stdin.on('error', () => {});
        }
        return this;
    }

    /* Keeps the stderr and the exit of the adapter's process. */
    watch(proc) {
        this.proc = proc;
        proc.stderr.on('data', (d) => {
            this.stderr += d.toString();
            this.waiters.slice().forEach((w) => w());
        });
        this.exitPromise = new Promise((resolve) => {
            proc.on('exit', (code, signal) => {
                this.exited = { code, signal };
                this.waiters.slice().forEach((w) => w());
                resolve(this.exited);
            });
        });
    }

    diagnostics() {
        const evs = this.events.map((e) => e.event +
            (e.body && e.body.reason ? '(' + e.body.reason + ')' : ''));
        return `\n  events so far: ${evs.join(' ')}` +
            `\n  cpdb stderr: ${this.stderr.slice(-2000)}`;
    }

    /* Return: the response of request command (a DebugClient method
       COMMANDRequest where it has one); rejects on an error response. */
    request(command, args) {
        const method = this.dc[command + 'Request'];
        const p = method && command !== 'custom'
            ? method.call(this.dc, args)
            : this.dc.customRequest(command, args);
        return within(p, TIMEOUT, `response to ${command}`, this);
    }

    /* Return: the error message of a request that must fail. */
    async requestFails(command, args) {
        try {
            await this.request(command, args);
        } catch (e) {
            if (/nothing after/.test(e.message)) {
                throw e;
            }
            return e.message;
        }
        assert.fail(`${command} ${JSON.stringify(args)} succeeded`);
    }

    /* Return: the first event of that type not yet returned (and the
       events before it of that type are passed over) for which pred is
       true. */
    event(type, pred = () => true, ms = TIMEOUT) {
        const find = () => {
            for (const e of this.events) {
                if (e.event === type && !this.taken.has(e) && pred(e)) {
                    for (const f of this.events) {
                        if (f === e) {
                            break;
                        }
                        if (f.event === type) {
                            this.taken.add(f);
                        }
                    }
                    this.taken.add(e);
                    return e;
                }
            }
            return null;
        };
        const p = new Promise((resolve) => {
            const w = () => {
                const e = find();
                if (e) {
                    this.waiters = this.waiters.filter((x) => x !== w);
                    resolve(e);
                }
            };
            this.waiters.push(w);
            w();
        });
        return within(p, ms, `event ${type}`, this);
    }

    /* Return: the text of every output event of that category so far. */
    output(category) {
        return this.events
            .filter((e) => e.event === 'output' &&
                    (category === undefined || e.body.category === category))
            .map((e) => e.body.output).join('');
    }

    /* Waits until pred() is true, looked at after each event, each
       piece of stderr and the exit. */
    async until(pred, what, ms = TIMEOUT) {
        const p = new Promise((resolve) => {
            const w = () => {
                if (pred()) {
                    this.waiters = this.waiters.filter((x) => x !== w);
                    resolve();
                }
            };
            this.waiters.push(w);
            w();
        });
        await within(p, ms, what, this);
    }

    /* Waits until the output of that category holds text. */
    waitOutput(category, text, ms = TIMEOUT) {
        return this.until(() => this.output(category).includes(text),
                          `output ${JSON.stringify(text)} (${category})`, ms);
    }

    /* initialize, launch (or attach), the configuration (breakpoints),
       configurationDone.  The launch response may come before or after
       the initialized event (the protocol allows both).
       config: { breakpoints: {path: [line | SourceBreakpoint]},
                 functionBreakpoints: [FunctionBreakpoint],
                 exceptionFilters: [filter] }.
       Return: { capabilities, setBreakpoints: {path: response body} }. */
    async begin(request, args, config = {}) {
        const init = await this.request('initialize', {
            clientID: 'cpdb-tests', adapterID: 'cpdb', linesStartAt1: true,
            columnsStartAt1: true, pathFormat: 'path',
            supportsVariableType: true, supportsRunInTerminalRequest: false,
        });
        const launched = this.request(request, args);
        /* A refused launch fails here, not as a missing event. */
        await Promise.race([this.event('initialized'),
                            launched.then(() => this.event('initialized'))]);
        const result = { capabilities: init.body, setBreakpoints: {} };
        for (const [file, bps] of Object.entries(config.breakpoints || {})) {
            const r = await this.request('setBreakpoints', {
                source: { path: file },
                breakpoints: bps.map((b) => (typeof b === 'number'
                                             ? { line: b } : b)),
            });
            result.setBreakpoints[file] = r.body;
        }
        if (config.functionBreakpoints) {
            result.setFunctionBreakpoints = (await this.request(
                'setFunctionBreakpoints',
                { breakpoints: config.functionBreakpoints })).body;
        }
        if (config.exceptionFilters) {
            await this.request('setExceptionBreakpoints',
                               { filters: config.exceptionFilters });
        }
        await this.request('configurationDone');
        await launched;
        return result;
    }

    launch(args, config) {
        return this.begin('launch', Object.assign({}, LAUNCH_EXTRA, args),
                          config);
    }

    /* Return: the stopped event that comes next, checked for its reason,
       with frames: the top frames of its thread. */
    async stopped(reason) {
        const ev = await this.event('stopped');
        if (reason !== undefined) {
            assert.equal(ev.body.reason, reason,
                         'stop reason' + this.diagnostics());
        }
        const st = await this.request('stackTrace',
                                      { threadId: ev.body.threadId });
        ev.frames = st.body.stackFrames;
        ev.totalFrames = st.body.totalFrames;
        ev.top = ev.frames[0];
        return ev;
    }

    /* Return: {name: variable} of a scope ("Locals", "Globals", ...) of a
       frame. */
    async scope(frameId, name) {
        const scopes = (await this.request('scopes', { frameId })).body
            .scopes;
        const s = scopes.find((x) => x.name === name);
        assert.ok(s, `scope ${name} in ${scopes.map((x) => x.name)}`);
        return this.children(s.variablesReference);
    }

    /* Return: {name: variable} of the children of a variablesReference. */
    async children(ref, extra = {}) {
        const r = await this.request('variables',
                                     Object.assign({ variablesReference: ref },
                                                   extra));
        const out = {};
        for (const v of r.body.variables) {
            out[v.name] = v;
        }
        return out;
    }

    /* Checks that bp (from a setBreakpoints or setFunctionBreakpoints
       response) is verified: at once or, pending because its file or
       function is not loaded yet, by a breakpoint event "changed" since
       (call it at a stop there, after it bound). */
    assertBound(bp) {
        if (bp.verified) {
            return;
        }
        const changed = this.events.find((e) => e.event === 'breakpoint' &&
                                         e.body.breakpoint.id === bp.id &&
                                         e.body.breakpoint.verified);
        assert.ok(changed, `breakpoint ${bp.id} neither verified nor ` +
                  `changed to verified: ${JSON.stringify(bp)}`);
    }

    async evaluate(expression, frameId, context = 'repl') {
        return (await this.request('evaluate',
                                   { expression, frameId, context })).body;
    }

    /* Ends the session: disconnect (with a short wait), then the
       adapter is killed if it is still there. */
    async close() {
        if (!this.proc) {
            return;
        }
        if (this.exited === null) {
            try {
                await within(this.dc.disconnectRequest({}), 3000,
                             'disconnect');
            } catch (e) {
                /* the adapter went away or did not answer: killed below */
            }
        }
        if (this.exited === null) {
            await within(this.exitPromise, 3000, 'exit').catch(() => {});
        }
        if (this.exited === null) {
            this.proc.kill('SIGKILL');
            await this.exitPromise;
        }
        if (this.dc._socket) {
            this.dc._socket.destroy();
        }
    }

    /* Return: {code, signal} of the adapter's exit, waited for. */
    waitExit(ms = TIMEOUT) {
        return within(this.exitPromise, ms, 'cpdb exit');
    }
}

/* Runs fn(session) on a started Session and always closes it. */
async function withSession(fn, opts) {
    const s = new Session(opts);
    await s.start();
    try {
        return await fn(s);
    } finally {
        await s.close();
    }
}

module.exports = { CPDB, PYTHON, PROGRAMS, ROOT, Session, lineOf, program,
                   withSession };
