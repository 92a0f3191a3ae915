'use strict';
/* editors/: the VS Code extension's package.json is valid, declares the
   cpdb debug type with the attributes cpdb's launch and attach take, and
   names an adapter command that exists and answers initialize; the
   nvim-dap and dape snippets run the same command. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { CPDB, ROOT, withSession } = require('./helpers');

const T = { timeout: 30000 };
const EDITORS = path.join(ROOT, 'editors');
const PKG = path.join(EDITORS, 'vscode', 'package.json');

const LAUNCH = ['program', 'module', 'args', 'cwd', 'env', 'stopOnEntry',
                'justMyCode'];
const ATTACH = ['pid', 'host', 'port', 'token'];
/* What every configuration has, besides the type's own attributes. */
const COMMON = ['type', 'request', 'name'];

function manifest() {
    return JSON.parse(fs.readFileSync(PKG, 'utf8'));
}

function cpdbDebugger(pkg) {
    const dbgs = pkg.contributes.debuggers.filter((d) => d.type === 'cpdb');
    assert.equal(dbgs.length, 1, 'one debugger of type cpdb');
    return dbgs[0];
}

/* Return: the executable and its arguments that VS Code runs for the
   contribution d (a runtime without "./" is looked up on PATH, a
   program is relative to the extension's folder). */
function adapterCommand(d, extensionDir) {
    if (d.runtime) {
        const runtime = d.runtime.startsWith('./')
            ? path.join(extensionDir, d.runtime) : d.runtime;
        return { command: runtime,
                 args: (d.runtimeArgs || [])
                     .concat(d.program ? [path.join(extensionDir,
                                                    d.program)] : [])
                     .concat(d.args || []) };
    }
    return { command: path.join(extensionDir, d.program),
             args: d.args || [] };
}

/* Return: the absolute path of command looked up on the PATH dirs. */
function which(command, dirs) {
    if (command.includes('/')) {
        return fs.existsSync(command) ? command : null;
    }
    for (const dir of dirs) {
        const p = path.join(dir, command);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch (e) {
            /* not in this one */
        }
    }
    return null;
}

test('package.json is a valid extension manifest for the cpdb type', T,
     () => {
    const pkg = manifest();
    for (const key of ['name', 'publisher', 'version', 'displayName']) {
        assert.equal(typeof pkg[key], 'string', key);
    }
    assert.match(pkg.name, /^[a-z0-9][a-z0-9-]*$/);
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.match(pkg.engines.vscode, /^\^\d+\.\d+\.\d+$/);
    assert.ok(pkg.categories.includes('Debuggers'));
    assert.ok(pkg.contributes.breakpoints.some((b) =>
        b.language === 'python'), 'breakpoints in python files');
    if (pkg.main) {
        assert.ok(fs.existsSync(path.join(EDITORS, 'vscode', pkg.main)),
                  pkg.main);
    }
    const d = cpdbDebugger(pkg);
    assert.ok(d.languages.includes('python'));
    const attrs = d.configurationAttributes;
    for (const a of LAUNCH) {
        assert.ok(attrs.launch.properties[a], `launch attribute ${a}`);
    }
    for (const a of ATTACH) {
        assert.ok(attrs.attach.properties[a], `attach attribute ${a}`);
    }
    assert.equal(attrs.launch.properties.stopOnEntry.default, false);
    assert.equal(attrs.launch.properties.justMyCode.default, true);
    /* Every configuration and snippet is of type cpdb and uses only
       declared attributes. */
    const configs = d.initialConfigurations.concat(
        d.configurationSnippets.map((s) => {
            assert.equal(typeof s.label, 'string');
            return s.body;
        }));
    assert.ok(d.initialConfigurations.length >= 1);
    for (const c of configs) {
        assert.equal(c.type, 'cpdb');
        assert.ok(['launch', 'attach'].includes(c.request), c.request);
        const declared = Object.keys(attrs[c.request].properties);
        for (const k of Object.keys(c)) {
            assert.ok(COMMON.includes(k) || declared.includes(k),
                      `${c.name}: attribute ${k} is not declared`);
        }
    }
});

test('the adapter command exists on PATH and answers initialize', T,
     async () => {
    const d = cpdbDebugger(manifest());
    const { command, args } = adapterCommand(d, path.join(EDITORS,
                                                          'vscode'));
    assert.deepEqual(args, ['--dap']);
    /* As a user who put the built cpdb on PATH. */
    const dirs = [path.dirname(CPDB)].concat(
        (process.env.PATH || '').split(':'));
    const found = which(command, dirs);
    assert.ok(found, `${command} not found on PATH`);
    assert.equal(fs.realpathSync(found), fs.realpathSync(CPDB));
    await withSession(async (s) => {
        const r = await s.request('initialize', {
            clientID: 'vscode', adapterID: 'cpdb', linesStartAt1: true,
            columnsStartAt1: true, pathFormat: 'path' });
        assert.equal(r.success, true);
        assert.equal(r.body.supportsConfigurationDoneRequest, true);
        const filters = r.body.exceptionBreakpointFilters
            .map((f) => f.filter).sort();
        assert.deepEqual(filters, ['raised', 'uncaught', 'userUncaught']);
    }, { command, arg: args[0], env: { PATH: dirs.join(':') } });
});

/* Return: text without Lisp strings and comments. */
function lispCode(text) {
    return text.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/;.*$/gm, '');
}

test('the nvim-dap and dape snippets run cpdb --dap', T, () => {
    const lua = fs.readFileSync(path.join(EDITORS, 'nvim', 'cpdb.lua'),
                                'utf8');
    assert.match(lua,
                 /dap\.adapters\.cpdb\s*=\s*\{[^}]*type\s*=\s*'executable'/);
    assert.match(lua, /command\s*=\s*'cpdb'/);
    assert.match(lua, /args\s*=\s*\{\s*'--dap'\s*\}/);
    assert.match(lua, /type = 'cpdb', request = request/);
    const requests = [...lua.matchAll(/cpdb\('(\w+)', '/g)]
        .map((m) => m[1]);
    assert.ok(requests.includes('launch') && requests.includes('attach'),
              requests);
    assert.ok(requests.every((r) => ['launch', 'attach'].includes(r)));

    const el = fs.readFileSync(path.join(EDITORS, 'emacs', 'cpdb-dape.el'),
                               'utf8');
    const code = lispCode(el);
    let depth = 0;
    for (const ch of code) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        assert.ok(depth >= 0, 'a ) too many in cpdb-dape.el');
    }
    assert.equal(depth, 0, 'parentheses of cpdb-dape.el balance');
    const commands = [...el.matchAll(/command "([^"]+)"/g)].map((m) => m[1]);
    assert.ok(commands.length >= 1);
    assert.ok(commands.every((c) => c === 'cpdb'), commands);
    assert.match(el, /command-args \("--dap"\)/);
    assert.equal(el.match(/:type "cpdb"/g).length, 1);
    assert.ok(el.match(/,@adapter/g).length >= 3);
    for (const m of el.matchAll(/:request "(\w+)"/g)) {
        assert.ok(['launch', 'attach'].includes(m[1]), m[1]);
    }
    /* Their attributes are ones cpdb takes. */
    const attrs = cpdbDebugger(manifest()).configurationAttributes;
    const known = new Set(COMMON.concat(
        Object.keys(attrs.launch.properties),
        Object.keys(attrs.attach.properties)));
    for (const m of el.matchAll(/[\s(]:(\w+) /g)) {
        assert.ok(known.has(m[1]), `dape attribute :${m[1]}`);
    }
});
