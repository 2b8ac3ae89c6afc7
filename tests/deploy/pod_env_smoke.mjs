// Starts the real service binaries the way the dev overlay's pods run them:
// the same command, every env variable of the rendered Deployments, the
// Secrets as files at their mount paths, the integration ConfigMap as the
// subPath files toolgen gets, and Redis with the StatefulSet's arguments. Only
// what a cluster provides is replaced: addresses (loopback, port 0 with port
// files; Redis on a unix socket) and the mount root (a temporary folder).
// Passes when every service is ready, edge's /readyz sees its backends, and
// the bootstrap admin token from the Secret opens the admin API.
//
//   node tests/deploy/pod_env_smoke.mjs <bin-dir>
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { kustomizeBuild } from "./kustomize_lite.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = process.argv[2];
for (const b of ["edge", "token", "toolgen", "proxy"]) {
  if (!fs.existsSync(path.join(binDir ?? "", b))) {
    console.log(`FAIL ${path.join(binDir ?? "", b)} is not built (scripts/build.sh builds it)`);
    process.exit(1);
  }
}
const root = fs.mkdtempSync(path.join(os.tmpdir(), "cmcp-pod-env-"));
const objects = kustomizeBuild(path.join(here, "../../deploy/k8s/overlays/dev"));
const procs = [];
let failures = 0;

function fail(message) {
  failures++;
  console.log(`FAIL ${message}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
async function get(url, headers = {}) {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

const rand = (n) => execFileSync("openssl", ["rand", "-hex", String(n)]).toString().trim();
const secrets = {
  "caspio-mcp-token": {
    "encryption-key": execFileSync("openssl", ["rand", "-base64", "32"]).toString().trim(),
    "encryption-key-id": "k1",
    "previous-encryption-keys": "",
    pepper: rand(32),
    "bootstrap-admin-token": rand(32),
  },
  "caspio-mcp-redis": { password: rand(16) },
  "caspio-mcp-edge": { "session-key": rand(32) },
  "caspio-mcp-proxy": { "cursor-key": rand(32) },
};

function start(name, command, args, env) {
  const out = fs.openSync(path.join(root, `${name}.log`), "w");
  const p = spawn(command, args, { env, stdio: ["ignore", out, out] });
  p.on("error", (e) => fail(`${name}: ${e.message}`));
  p.on("exit", (code, sig) => {
    if (!p.stopping) fail(`${name} exited early (${code ?? sig}); log: ${fs.readFileSync(path.join(root, `${name}.log`), "utf8").slice(-800)}`);
  });
  procs.push(p);
  return p;
}

try {
  // Redis as the StatefulSet runs it, on a unix socket instead of TCP 6379.
  const redis = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "redis").spec.template.spec.containers[0];
  const socket = path.join(root, "redis.sock");
  fs.mkdirSync(path.join(root, "data"));
  const redisArgs = redis.args.map((a) => a.replace("$(REDIS_PASSWORD)", secrets["caspio-mcp-redis"].password))
    .map((a) => (a === "/data" ? path.join(root, "data") : a === "6379" ? "0" : a));
  start("redis", redis.command[0], [...redisArgs, "--unixsocket", socket], {});
  await waitFor("redis", async () => fs.existsSync(socket));

  const grpcPorts = {};
  const adminPorts = {};
  for (const name of ["toolgen", "token", "proxy", "edge"]) {
    const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
    const spec = d.spec.template.spec;
    const c = spec.containers[0];
    const mountRoot = path.join(root, name);
    const at = (p) => path.join(mountRoot, p);
    for (const m of c.volumeMounts) {
      const v = spec.volumes.find((x) => x.name === m.name);
      if (v.configMap) {
        const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === v.configMap.name);
        fs.mkdirSync(path.dirname(at(m.mountPath)), { recursive: true });
        fs.writeFileSync(at(m.mountPath), cm.data[m.subPath]);
      }
      const sources = v.secret ? [{ secret: { name: v.secret.secretName, items: v.secret.items } }] : (v.projected?.sources ?? []);
      for (const s of sources.filter((x) => x.secret)) {
        fs.mkdirSync(at(m.mountPath), { recursive: true });
        for (const item of s.secret.items) fs.writeFileSync(path.join(at(m.mountPath), item.path), secrets[s.secret.name][item.key]);
      }
    }
    const env = {};
    for (const e of c.env) {
      let value = e.value ?? secrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key];
      if (/_FILE$|_INTEGRATION_DIR$/.test(e.name)) value = at(value);
      value = value.replace(/^dns:\/\/\/(\w+):50051$/, (_, peer) => `127.0.0.1:${grpcPorts[peer]}`);
      if (e.name === "TOKEN_REDIS_ADDRESS") value = `unix:${socket}`;
      if (/_LISTEN$/.test(e.name)) value = "127.0.0.1:0";
      env[e.name] = value;
    }
    const prefix = { edge: "EDGE_", token: "TOKEN_", toolgen: "TOOLGEN_", proxy: "PROXY_" }[name];
    env[`${prefix}PORT_FILE`] = path.join(root, `${name}.port`);
    if (name !== "edge") env[`${prefix}ADMIN_PORT_FILE`] = path.join(root, `${name}.admin-port`);
    start(name, c.command[0].replace("/usr/local/bin", binDir), [], env);
    const readPort = (f) => async () => Number(fs.readFileSync(path.join(root, f), "utf8").trim()) || undefined;
    grpcPorts[name] = await waitFor(`${name} port`, readPort(`${name}.port`));
    if (name !== "edge") adminPorts[name] = await waitFor(`${name} admin port`, readPort(`${name}.admin-port`));
  }

  for (const name of ["token", "toolgen", "proxy"]) {
    const r = await waitFor(`${name} /readyz`, async () => {
      const x = await get(`http://127.0.0.1:${adminPorts[name]}/readyz`);
      return x.status === 200 ? x : undefined;
    }).catch((e) => fail(e.message));
    if (r) console.log(`ok   ${name} ready with the pod's settings`);
  }
  const edge = `http://127.0.0.1:${grpcPorts.edge}`;
  const ready = await waitFor("edge /readyz", async () => ((await get(`${edge}/readyz`)).status === 200 ? true : undefined)).catch((e) => fail(e.message));
  if (ready) console.log("ok   edge ready (its backends reachable through the configured addresses)");
  const admin = await get(`${edge}/integrated-account`, { Authorization: `Bearer ${secrets["caspio-mcp-token"]["bootstrap-admin-token"]}` });
  if (admin.status === 200) console.log("ok   the Secret's bootstrap admin token opens the admin API");
  else fail(`admin API with the bootstrap token: ${admin.status} ${admin.body}`);
  const log = fs.readFileSync(path.join(root, "toolgen.log"), "utf8");
  if (!/"catalog loaded"/.test(log)) fail("toolgen did not load the integration from the ConfigMap files");
  else console.log("ok   toolgen loaded the integration from the ConfigMap files");
} catch (e) {
  fail(e.stack ?? String(e));
} finally {
  for (const p of procs.reverse()) {
    p.stopping = true;
    p.kill("SIGTERM");
  }
  await sleep(300);
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  fs.rmSync(root, { recursive: true, force: true });
}
console.log(`\npod env smoke: ${failures === 0 ? "1 passed, 0 failed" : "0 passed, 1 failed"}`);
process.exit(failures === 0 ? 0 : 1);
