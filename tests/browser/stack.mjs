// stack.mjs: the processes the browser tests drive, started for real on 127.0.0.1 on ports chosen
// at run time: redis-server, `pricing-engine devorg` (the local org), `pricing-engine web` (the
// pages) and, when asked, `pricing-engine worker`. Each runs in its own process group, so stop()
// ends it with whatever it started; stop() runs after the tests, on a failure of start(), and on
// the runner's exit or signal. Logs go to files in a temporary folder; failure() returns their
// tails for an assertion message.
//
//   const stack = await startStack({binary: process.env.PE_BINARY, devorgArgs: ['--seed', '400']});
//   const org = await stack.org();                 // the first of CONNECTION_NAMES
//   await org.create('Account', {Name: 'Acme'});
//   const total = await org.count('SELECT COUNT() FROM Account');
//   await stack.stop();
//
// The org side (OrgApi) is the REST API as the integration user, with the access token the
// AppLink authorization endpoint gives, as tests/conformance/rest.test.mjs gets it.
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

export const kUiPassword = 'browser-tests-password-0123';

// A port nothing listens on now (the usual race with another process is accepted, as elsewhere).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Every group still running, for the last-resort kill on exit, and the log folders to remove.
const running = new Set();
const folders = new Set();
function killAllNow() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  if (!process.env.PE_KEEP_LOGS) {
    for (const dir of folders) rmSync(dir, {recursive: true, force: true});
  }
  folders.clear();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAllNow();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

// One child process in a group of its own, its stdout and stderr in `<dir>/<name>.log`.
class Child {
  constructor(name, command, args, {dir, env}) {
    this.name = name;
    this.logPath = path.join(dir, `${name}.log`);
    const log = openSync(this.logPath, 'a');
    this.process = spawn(command, args, {
      env: {...process.env, ...env},
      stdio: ['ignore', log, log],
      detached: true,  // its own process group: stop() signals the whole group
    });
    this.pid = this.process.pid;
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        running.delete(this);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.process.on('error', (error) => {
        running.delete(this);
        this.spawnError = error;
        resolve();
      });
    });
    running.add(this);
  }

  get alive() {
    return this.exitCode === undefined && this.exitSignal === undefined && !this.spawnError;
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  describeExit() {
    if (this.spawnError) return `could not start: ${this.spawnError.message}`;
    return this.exitSignal ? `was killed by ${this.exitSignal}` :
                             `exited with status ${this.exitCode}`;
  }

  // SIGTERM to the group, SIGKILL after `graceMs`.
  async stop(graceMs = 3000) {
    if (!this.alive) return;
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = sleep(graceMs).then(() => 'late');
    if (await Promise.race([this.exited.then(() => 'done'), timer]) === 'late') {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      await this.exited;
    }
  }
}

// Polls `ready` (async, true when ready) every 50 ms until `timeoutMs`; fails early when `child`
// exits, with its log.
async function waitFor(what, child, timeoutMs, ready) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && !child.alive) {
      throw new Error(`${what} ${child.describeExit()} before it was ready:\n${tail(child.log())}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
          `${what} was not ready after ${timeoutMs / 1000} s` +
          (child ? `:\n${tail(child.log())}` : ''));
    }
    await sleep(50);
  }
}

async function answers200(url) {
  const res = await fetch(url, {signal: AbortSignal.timeout(1000)});
  return res.status === 200;
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

// PING over RESP, true on +PONG.
function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (data) => {
      answer += data;
      if (answer.includes('\r\n')) {
        socket.end();
        resolve(answer.startsWith('+PONG'));
      }
    });
  });
}

function parseEnvFile(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

// The REST API of one connected org as the integration user.
export class OrgApi {
  constructor(connection, auth) {
    this.connection = connection;
    this.instanceUrl = auth.org.instance_url;
    this.token = auth.org.user_auth.access_token;
    this.version = auth.org.api_version;
  }

  async request(method, pathname, body) {
    const url = pathname.startsWith('http') ? pathname : this.instanceUrl + pathname;
    const res = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      throw new Error(`${method} ${pathname} (${this.connection}): ${res.status} ${text}`);
    }
    return json;
  }

  query(soql) {
    return this.request(
        'GET', `/services/data/v${this.version}/query?q=${encodeURIComponent(soql)}`);
  }

  async count(soql) {
    return (await this.query(soql)).totalSize;
  }

  // The new record's Id.
  async create(sobject, fields) {
    const answer =
        await this.request('POST', `/services/data/v${this.version}/sobjects/${sobject}`, fields);
    return answer.id;
  }

  remove(sobject, id) {
    return this.request('DELETE', `/services/data/v${this.version}/sobjects/${sobject}/${id}`);
  }
}

// Starts the stack; see the top of the file. Options:
//   binary      the built pricing-engine (ctest passes it; PE_BINARY)
//   devorgArgs  extra arguments of `pricing-engine devorg` (e.g. ['--seed', '400'], or later
//               ['--orgs', 'sales=300,support=50,empty=0'])
//   webEnv      extra environment of web (and worker)
//   worker      true: start `pricing-engine worker` too (the operations dashboard)
export async function startStack({binary, devorgArgs = [], webEnv = {}, worker = false} = {}) {
  if (!binary || !existsSync(binary)) {
    throw new Error(`the pricing-engine binary is missing (${binary}): pass its path in PE_BINARY`);
  }
  const stack = new Stack(binary);
  try {
    await stack.startRedis();
    await stack.startDevorg(devorgArgs);
    await stack.startWeb(webEnv);
    if (worker) await stack.startWorker(webEnv);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

export class Stack {
  constructor(binary) {
    this.binary = binary;
    this.dir = mkdtempSync(path.join(tmpdir(), 'pe-browser-'));
    folders.add(this.dir);
    this.children = [];
    this.orgApis = new Map();
  }

  spawn(name, command, args, env = {}) {
    const child = new Child(name, command, args, {dir: this.dir, env});
    this.children.push(child);
    return child;
  }

  async startRedis() {
    const port = await freePort();
    const child = this.spawn('redis', 'redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
    ]);
    await waitFor('redis-server', child, 10_000, () => redisPing(port));
    this.redisUrl = `redis://127.0.0.1:${port}`;
  }

  async startDevorg(args) {
    this.webPort = await freePort();  // the org sends its invocations there
    const envFile = path.join(this.dir, 'devorg.env');
    const child = this.spawn(
        'devorg', this.binary,
        [
          'devorg',
          '--port',
          '0',
          '--env-file',
          envFile,
          '--app-url',
          `http://127.0.0.1:${this.webPort}`,
          ...args,
        ],
        {LOG_LEVEL: 'info'});
    await waitFor('the local org (devorg)', child, 30_000, async () => existsSync(envFile));
    this.orgEnv = parseEnvFile(readFileSync(envFile, 'utf8'));
    this.connections = (this.orgEnv.CONNECTION_NAMES || '').split(',').filter(Boolean);
    this.devorgUrl = this.orgEnv.PRICING_DEVORG_URL;
  }

  appEnv(extra) {
    return {
      ...this.orgEnv,
      REDIS_URL: this.redisUrl,
      PRICING_UI_PASSWORD: kUiPassword,
      PRICING_INVOCATION_AUTH: 'dev',
      WEB_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  async startWeb(extra) {
    const port = this.webPort;
    const child = this.spawn(
        'web', this.binary, ['web'], this.appEnv({PORT: String(port), WEB_THREADS: '2', ...extra}));
    this.url = `http://127.0.0.1:${port}`;
    await waitFor('web', child, 15_000, () => answers200(`${this.url}/readyz`));
  }

  async startWorker(extra) {
    const child = this.spawn('worker', this.binary, ['worker'], this.appEnv(extra));
    await waitFor('worker', child, 15_000, async () => child.log().includes('msg=worker_started'));
  }

  // The REST API of a connection (default: the first of CONNECTION_NAMES), authorized once.
  async org(connection = this.connections[0]) {
    if (!this.orgApis.has(connection)) {
      const env = this.orgEnv;
      const res = await fetch(`${env.HEROKU_APPLINK_API_URL}/authorizations/${connection}`, {
        headers:
            {Authorization: `Bearer ${env.HEROKU_APPLINK_TOKEN}`, 'X-App-UUID': env.HEROKU_APP_ID},
      });
      if (res.status !== 200) {
        const why = `${res.status} ${await res.text()}`;
        throw new Error(`AppLink refused the authorization of ${connection}: ${why}`);
      }
      this.orgApis.set(connection, new OrgApi(connection, await res.json()));
    }
    return this.orgApis.get(connection);
  }

  // POST /devorg/faults on the local org (e.g. {error_rate: 1}); `org` names one org of a
  // multi-org devorg (?org=NAME). Returns the org's JSON answer.
  async faults(body, {org} = {}) {
    const query = org ? `?org=${encodeURIComponent(org)}` : '';
    const res = await fetch(`${this.devorgUrl}/devorg/faults${query}`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST /devorg/faults${query}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // Whether every process is still running, and the tails of their logs: for a failed assertion.
  failure() {
    return this.children
        .map(
            (c) => `--- ${c.name} (pid ${c.pid}, ${c.alive ? 'running' : c.describeExit()}):\n` +
                tail(c.log(), 20))
        .join('\n');
  }

  async stop() {
    // web and worker first, then the org and Redis they use.
    await Promise.all(
        this.children.filter((c) => c.name === 'web' || c.name === 'worker').map((c) => c.stop()));
    await Promise.all(this.children.map((c) => c.stop()));
    if (!process.env.PE_KEEP_LOGS) rmSync(this.dir, {recursive: true, force: true});
    folders.delete(this.dir);
  }
}
