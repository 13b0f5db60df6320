#!/usr/bin/env node
// The janode runner of the Janus client benchmark: runs W1, W2 or W3 through janode 1.8
// (npm) on one websocket and prints one JSON line on stdout, with the fields and meanings of
// `Report` in bench/common/src/lib.rs. It takes the flags of `RunArgs` there, with the same
// defaults; exit code 0 when every reply and event was right, 1 when not, 2 on bad flags.
//
// janode's own logs are switched off (they go to stdout through console.info); set
// JANODE_LOG=debug|verb|info|warn|error to get them, on stderr.

import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';

const CLIENT = 'janode';
/** Every wait on Janus is bounded by this, so that a dead Janus is an error, not a hang. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The message every echotest handle sends, and the event data it must answer with. */
const ECHO_BODY = Object.freeze({ audio: true, video: true });
const ECHO_PLUGIN = 'janus.plugin.echotest';
/** janode's session keepalive interval when a workload does not choose one (its default). */
const DEFAULT_KEEPALIVE_S = 30;

/**
 * Parses the runner's flags like `RunArgs::parse`: `--flag value` pairs, `--url` and
 * `--workload` required (the last one of each wins), numbers as u64, unknown flags refused.
 * Throws an Error whose message says what is wrong.
 */
function parseArgs(argv) {
  const pairs = [];
  for (let i = 0; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
    pairs.push([argv[i], argv[i + 1]]);
  }
  const find = name => {
    const hit = pairs.findLast(([flag]) => flag === name);
    return hit ? hit[1] : undefined;
  };
  const url = find('--url');
  if (url === undefined) throw new Error('--url is required');
  const workload = find('--workload');
  if (workload === undefined) throw new Error('--workload is required');
  if (!['w1', 'w2', 'w3'].includes(workload)) {
    throw new Error(`unknown workload ${JSON.stringify(workload)} (w1, w2 or w3)`);
  }
  const args = {
    url,
    workload,
    iterations: workload === 'w1' ? 300 : 1,
    rssCheckpoint: workload === 'w1' ? 300 : 0,
    sessions: { w1: 0, w2: 100, w3: 1000 }[workload],
    handles: 5,
    holdMs: 10_000,
    keepaliveMs: 5_000,
    variant: null,
  };
  for (const [flag, value] of pairs) {
    const number = () => {
      if (!/^\+?[0-9]+$/.test(value)) throw new Error(`${flag} ${value}: invalid digit found in string`);
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`${flag} ${value}: number too large`);
      return n;
    };
    switch (flag) {
      case '--url':
      case '--workload':
        break;
      case '--iterations': args.iterations = number(); break;
      case '--rss-checkpoint': args.rssCheckpoint = number(); break;
      case '--sessions': args.sessions = number(); break;
      case '--handles': args.handles = number(); break;
      case '--hold-ms': args.holdMs = number(); break;
      case '--keepalive-ms': args.keepaliveMs = number(); break;
      case '--variant': args.variant = value; break;
      default: throw new Error(`unknown flag ${flag}`);
    }
  }
  return args;
}

/** Current resident set size of this process, KiB. */
function currentRssKb() {
  return Math.round(process.memoryUsage.rss() / 1024);
}

/** Rejects with "no answer in N ms" unless `promise` settles within `ms`. */
function bounded(promise, ms = REQUEST_TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The text of something thrown or rejected: janode rejects with Errors, but a failed websocket
 * connect rejects with the websocket's error event, whose Error is its `error`.
 */
function describe(e) {
  if (e instanceof Error) return e.message;
  if (e?.error instanceof Error) return e.error.message;
  if (typeof e?.message === 'string') return e.message;
  return String(e);
}

/** Adds `what` to the message of whatever `promise` rejects with. */
async function context(promise, what) {
  try {
    return await promise;
  } catch (e) {
    throw new Error(`${what}: ${describe(e)}`);
  }
}

/** A Janus request through janode, bounded and with context on failure. */
function request(promise, what) {
  return context(bounded(promise), what);
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Creates a session and checks janode got a session id from Janus's `success`.
 * `keepaliveS` is janode's keepalive interval for it, in seconds.
 */
async function createSession(conn, report, keepaliveS = DEFAULT_KEEPALIVE_S) {
  const session = await request(conn.create(keepaliveS), 'create');
  if (!Number.isSafeInteger(session.id) || session.id <= 0) {
    throw new Error(`create: bad session id ${session.id}`);
  }
  report.replies += 1;
  return session;
}

/** Attaches an echotest handle to `session` and checks its id. */
async function attachEcho(session, report) {
  const handle = await request(session.attach(EchoTestPlugin), `attach in session ${session.id}`);
  if (!Number.isSafeInteger(handle.id) || handle.id <= 0) {
    throw new Error(`attach in session ${session.id}: bad handle id ${handle.id}`);
  }
  report.replies += 1;
  return handle;
}

/**
 * Sends `{"audio":true,"video":true}` on an echotest handle and checks the event it resolves
 * with: from this very handle and session, echotest plugin data `{"echotest":"event","result":"ok"}`.
 */
async function messageEcho(handle, report) {
  const what = `message on handle ${handle.id}`;
  const event = await request(handle.message({ ...ECHO_BODY }), what);
  const data = event?.plugindata?.data;
  if (event?.janus !== 'event' || event.sender !== handle.id || event.session_id !== handle.session.id
    || event.plugindata.plugin !== ECHO_PLUGIN || data?.echotest !== 'event' || data.result !== 'ok'
    || Object.keys(data).length !== 2) {
    throw new Error(`${what}: unexpected answer ${JSON.stringify(event)}`);
  }
  report.events += 1;
}

/**
 * Detaches a handle and checks Janus said `success`: janode's `detach()` logs a failure
 * instead of throwing, so success is its `handle_detached` event firing before it returns.
 */
async function detach(handle, report) {
  const what = `detach handle ${handle.id}`;
  let detached = false;
  handle.once(Janode.EVENT.HANDLE_DETACHED, () => { detached = true; });
  await request(handle.detach(), what);
  if (!detached) throw new Error(`${what}: Janus did not answer success`);
  report.replies += 1;
}

/** Destroys a session (janode rejects on a Janus error such as 458). */
async function destroy(session, report) {
  await request(session.destroy(), `destroy session ${session.id}`);
  report.replies += 1;
}

/** W1: create, attach, message, detach, destroy, `iterations` times in sequence. */
async function w1(conn, args, report) {
  for (let i = 1; i <= args.iterations; i += 1) {
    const start = process.hrtime.bigint();
    const session = await createSession(conn, report);
    const handle = await attachEcho(session, report);
    await messageEcho(handle, report);
    await detach(handle, report);
    await destroy(session, report);
    report.latencies_us.push(Number((process.hrtime.bigint() - start) / 1000n));
    report.iterations = i;
    if (i === args.rssCheckpoint) report.rss_checkpoints_kb.push([i, currentRssKb()]);
  }
  report.rss_checkpoints_kb.push([args.iterations, currentRssKb()]);
}

/** W2: `iterations` rounds of concurrent creates, attaches, messages, detaches, destroys. */
async function w2(conn, args, report) {
  const count = n => Array.from({ length: n }, (_, i) => i);
  for (let round = 1; round <= args.iterations; round += 1) {
    const start = process.hrtime.bigint();
    const sessions = await Promise.all(count(args.sessions).map(() => createSession(conn, report)));
    const handles = (await Promise.all(sessions.map(session =>
      Promise.all(count(args.handles).map(() => attachEcho(session, report)))))).flat();
    await Promise.all(handles.map(handle => messageEcho(handle, report)));
    await Promise.all(handles.map(handle => detach(handle, report)));
    await Promise.all(sessions.map(session => destroy(session, report)));
    report.latencies_us.push(Number((process.hrtime.bigint() - start) / 1000n));
    report.iterations = round;
  }
}

/**
 * W3: `sessions` concurrent creates with janode's keepalive set to `--keepalive-ms`, held for
 * `--hold-ms`, then concurrent destroys. Every keepalive janode sends is counted through the
 * session's `sendRequest` (which its keepalive task calls), and every ack counts as a reply:
 * a failed keepalive, a session janode saw end while held, or too few acks fail the run.
 */
async function w3(conn, args, report) {
  if (args.keepaliveMs === 0) throw new Error('w3 needs --keepalive-ms above 0');
  const keepalive = { sent: 0, acked: 0, failure: null, holding: true };
  const ended = [];
  const start = process.hrtime.bigint();
  const sessions = await Promise.all(Array.from({ length: args.sessions }, async () => {
    const session = await createSession(conn, report, args.keepaliveMs / 1000);
    const perSession = { acked: 0 };
    const send = session.sendRequest.bind(session);
    session.sendRequest = req => {
      const reply = send(req);
      if (req.janus === 'keepalive') {
        keepalive.sent += 1;
        reply.then(() => {
          keepalive.acked += 1;
          perSession.acked += 1;
          report.replies += 1;
        }, e => {
          if (keepalive.holding && keepalive.failure === null) {
            keepalive.failure = `keepalive of session ${session.id}: ${describe(e)}`;
          }
        });
      }
      return reply;
    };
    session.once(Janode.EVENT.SESSION_DESTROYED, () => {
      if (keepalive.holding) ended.push(session.id);
    });
    return { session, perSession };
  }));
  report.latencies_us.push(Number((process.hrtime.bigint() - start) / 1000n));

  await sleep(args.holdMs);
  keepalive.holding = false;
  if (keepalive.failure !== null) throw new Error(keepalive.failure);
  if (ended.length > 0) throw new Error(`${ended.length} sessions ended while held, timed out by Janus or after a failed keepalive (first ${ended[0]})`);
  // Each session's first keepalive goes out one interval after its creation, the later ones an
  // interval apart, so every session has had at least floor(hold / interval) - 1 acked by now.
  const expected = Math.max(Math.floor(args.holdMs / args.keepaliveMs) - 1, 0);
  const short = sessions.find(({ perSession }) => perSession.acked < expected);
  if (short !== undefined) {
    throw new Error(`session ${short.session.id}: ${short.perSession.acked} keepalives acked, expected at least ${expected}`
      + ` (${keepalive.sent} sent, ${keepalive.acked} acked in all)`);
  }
  process.stderr.write(`${CLIENT}: w3 keepalives sent ${keepalive.sent}, acked ${keepalive.acked}\n`);
  await Promise.all(sessions.map(({ session }) => destroy(session, report)));
  report.iterations = 1;
}

/** Connects, runs the workload between CPU and wall readings, and fills in `report`. */
async function run(args, report) {
  const conn = await request(Janode.connect({
    address: { url: args.url },
    max_retries: 0,
    retry_time_secs: 1,
  }), `connect to ${args.url}`);
  try {
    const cpu = process.cpuUsage();
    const wall = process.hrtime.bigint();
    try {
      await { w1, w2, w3 }[args.workload](conn, args, report);
    } finally {
      const used = process.cpuUsage(cpu);
      report.wall_s = Number(process.hrtime.bigint() - wall) / 1e9;
      report.user_s = used.user / 1e6;
      report.sys_s = used.system / 1e6;
    }
  } finally {
    await bounded(conn.close()).catch(() => {});
  }
}

/** Prints the report as one JSON line and exits with `code` once stdout has taken it. */
function finish(report, code) {
  report.peak_rss_kb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(code));
}

function main() {
  const level = process.env.JANODE_LOG;
  if (level) {
    // janode logs debug and info through console.debug/info, which print on stdout.
    console.debug = console.error;
    console.info = console.error;
  }
  Janode.Logger.setLevel(level || 'none');

  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${CLIENT}: ${e.message}\n`);
    process.exit(2);
  }
  const report = {
    client: CLIENT,
    workload: args.workload,
    ok: false,
    error: null,
    iterations: 0,
    wall_s: 0,
    user_s: 0,
    sys_s: 0,
    peak_rss_kb: 0,
    rss_checkpoints_kb: [],
    latencies_us: [],
    replies: 0,
    events: 0,
  };
  let done = false;
  const fail = e => {
    if (done) return;
    done = true;
    report.ok = false;
    report.error = describe(e);
    finish(report, 1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  run(args, report).then(() => {
    if (done) return;
    done = true;
    report.ok = true;
    finish(report, 0);
  }, fail);
}

main();
