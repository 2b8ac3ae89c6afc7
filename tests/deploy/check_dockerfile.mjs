// Offline checks of deploy/docker/Dockerfile (no Docker engine needed): parses
// it and enforces what the image promises. Multi-stage; every base image
// pinned (a version tag or a digest, never latest); the builder uses the
// project's own scripts; the runtime stage installs its packages with
// --no-install-recommends, exactly the runtime libraries the binaries link and
// no compiler or -dev package, and runs as a numeric non-root user. When the
// service binaries are built (build/bin), every shared library they need must
// come from a package the runtime stage installs or the base image has.
//
//   node tests/deploy/check_dockerfile.mjs [bin-dir]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const binDir = process.argv[2] ?? path.join(root, "build/bin");

let passed = 0;
let failed = 0;
function check(name, fn) {
  const problems = [];
  try {
    fn((m) => problems.push(m));
  } catch (e) {
    problems.push(`threw: ${e.stack ?? e}`);
  }
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(`       ${p}`);
  }
}

// Instructions with line continuations joined and comments dropped.
export function parseDockerfile(text) {
  const out = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    // Blank lines and comments, also inside a continued instruction (Docker
    // skips both there).
    if (line === "" || line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(current.trim());
    if (m) out.push({ op: m[1].toUpperCase(), args: m[2].trim() });
    current = "";
  }
  return out;
}

const dockerfile = path.join(root, "deploy/docker/Dockerfile");
const instructions = parseDockerfile(readFileSync(dockerfile, "utf8"));

// Global ARG defaults (before the first FROM) for ${VAR} in FROM lines.
const args = new Map();
for (const i of instructions) {
  if (i.op === "FROM") break;
  if (i.op === "ARG") {
    const [k, v] = i.args.split("=");
    args.set(k, v);
  }
}
const stages = [];
for (const i of instructions) {
  if (i.op === "FROM") {
    const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
    const image = m[1].replace(/\$\{?(\w+)\}?/g, (_, k) => args.get(k) ?? "");
    stages.push({ image, name: m[2], body: [] });
  } else if (stages.length > 0) {
    stages.at(-1).body.push(i);
  }
}
const final = stages.at(-1);
const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));

// The runtime packages: the apt-get install arguments of the final stage.
function installedPackages(stage) {
  const pkgs = [];
  for (const i of stage.body.filter((x) => x.op === "RUN")) {
    for (const cmd of i.args.split(/&&|;/)) {
      const m = /apt-get\s+install\s+(.*)$/.exec(cmd.trim());
      if (m) pkgs.push(...m[1].split(/\s+/).filter((w) => w && !w.startsWith("-")));
    }
  }
  return pkgs;
}
const runtimePackages = installedPackages(final);

check("multi-stage: a builder stage and a separate runtime stage", (bad) => {
  if (stages.length < 2) bad(`${stages.length} stage(s)`);
  if (!final.body.some((i) => i.op === "COPY" && /--from=\S+/.test(i.args))) bad("the final stage copies nothing from a build stage");
  for (const i of final.body.filter((x) => x.op === "COPY")) {
    const from = /--from=(\S+)/.exec(i.args)?.[1];
    if (from && !stageNames.has(from)) bad(`COPY --from=${from} names no stage`);
  }
});
check("every base image pinned to Debian 12 (version tag or digest, never latest)", (bad) => {
  for (const s of stages) {
    if (stageNames.has(s.image)) continue;
    const m = /^(?<name>[^@:]+(?::\d+\/[^@:]+)?)(?::(?<tag>[^@]+))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/.exec(s.image);
    if (!m) bad(`unparsable image ${s.image}`);
    else if (!m.groups.tag && !m.groups.digest) bad(`${s.image}: no tag or digest`);
    else if (m.groups.tag === "latest") bad(`${s.image}: latest`);
    else if (m.groups.tag && !m.groups.digest && !/\d/.test(m.groups.tag)) bad(`${s.image}: tag "${m.groups.tag}" is not a version`);
    if (!/^(docker\.io\/)?(library\/)?debian$/.test(m?.groups.name ?? "") || !/^(12|bookworm)/.test(m?.groups.tag ?? "")) {
      bad(`${s.image}: not Debian 12 (bookworm)`);
    }
  }
});
check("the builder installs and builds with the project's scripts", (bad) => {
  const builder = stages[0];
  const runs = builder.body.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
  if (!/scripts\/install-deps\.sh/.test(runs)) bad("scripts/install-deps.sh is not run");
  if (!/scripts\/build\.sh/.test(runs)) bad("scripts/build.sh is not run");
  for (const bin of ["edge", "token", "toolgen", "proxy"]) if (!new RegExp(`\\b${bin}\\b`).test(runs)) bad(`${bin} is not built`);
});
check("runtime packages installed with --no-install-recommends, apt lists removed, no build tools", (bad) => {
  for (const i of final.body.filter((x) => x.op === "RUN" && /apt-get\s+install/.test(x.args))) {
    if (!/--no-install-recommends/.test(i.args)) bad("apt-get install without --no-install-recommends");
    if (!/apt-get\s+update/.test(i.args)) bad("apt-get install without apt-get update in the same layer");
    if (!/rm -rf \/var\/lib\/apt\/lists/.test(i.args)) bad("apt lists left in the layer");
  }
  if (runtimePackages.length === 0) bad("the runtime stage installs no packages");
  for (const p of runtimePackages) {
    if (/-dev$|^build-essential$|^g\+\+|^gcc|^cmake$|^ninja|^git$|^curl$|^nodejs$|^npm$/.test(p)) bad(`build tool in the runtime image: ${p}`);
  }
  if (!runtimePackages.includes("ca-certificates")) bad("no ca-certificates: proxy cannot verify Caspio's TLS certificate");
});
check("the final stage runs as a numeric non-root user", (bad) => {
  const users = final.body.filter((i) => i.op === "USER");
  if (users.length === 0) return bad("no USER in the final stage");
  const user = users.at(-1).args;
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) bad(`USER ${user} is not numeric (Kubernetes runAsNonRoot cannot verify a name)`);
  else if (Number(m[1]) === 0 || Number(m[2] ?? 1) === 0) bad(`USER ${user} is root`);
});
check("no secrets, no ADD from URLs, no latest anywhere", (bad) => {
  for (const i of instructions) {
    if (i.op === "ADD") bad(`ADD ${i.args} (use COPY)`);
    if (/:latest\b/.test(i.args)) bad(`${i.op} ${i.args} uses latest`);
    if (i.op === "ENV" && /(KEY|PEPPER|PASSWORD|SECRET|TOKEN)[A-Z_]*=/.test(i.args)) bad(`ENV ${i.args} bakes a secret into the image`);
  }
});
check("the build context filter keeps build trees, node_modules and .git out", (bad) => {
  const ignore = readFileSync(`${dockerfile}.dockerignore`, "utf8");
  if (!/^\*\*$/m.test(ignore)) bad("Dockerfile.dockerignore does not start from excluding everything");
  for (const needed of ["CMakeLists.txt", "cmake/", "proto/", "common/", "services/", "sandbox/", "integrations/", "scripts/"]) {
    if (!ignore.includes(`!${needed}`)) bad(`${needed} is not let in`);
  }
});

// Needs the built services; the check is skipped (and says so) without them.
check("every shared library the binaries need comes from a runtime package or the base image", (bad) => {
  const bins = ["edge", "token", "toolgen", "proxy"].map((b) => path.join(binDir, b));
  if (!bins.every(existsSync)) {
    console.log(`     (skipped: ${binDir} has no built services)`);
    return;
  }
  const base = new Set(["libc6", "libgcc-s1"]);  // in debian:*-slim
  const allowed = new Set([...runtimePackages, ...base]);
  const cache = execFileSync("ldconfig", ["-p"], { encoding: "utf8" });
  for (const bin of bins) {
    const needed = execFileSync("readelf", ["-d", bin], { encoding: "utf8" })
      .split("\n").map((l) => /\(NEEDED\).*\[(.+)\]/.exec(l)?.[1]).filter(Boolean);
    for (const lib of needed) {
      const file = new RegExp(`^\\s*${lib.replace(/[+.]/g, "\\$&")} \\(libc6,x86-64[^)]*\\) => (\\S+)$`, "m").exec(cache)?.[1];
      if (!file) {
        bad(`${path.basename(bin)}: ${lib} not found by ldconfig`);
        continue;
      }
      let owner = "";
      for (const candidate of [execFileSync("readlink", ["-f", file], { encoding: "utf8" }).trim(), file]) {
        for (const p of [candidate, candidate.replace(/^\/usr/, "")]) {
          try {
            owner = execFileSync("dpkg", ["-S", p], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split(":")[0];
          } catch {}
          if (owner) break;
        }
        if (owner) break;
      }
      if (!owner) bad(`${path.basename(bin)}: ${lib} (${file}) belongs to no Debian package`);
      else if (!allowed.has(owner)) bad(`${path.basename(bin)}: ${lib} comes from ${owner}, which the runtime stage does not install`);
    }
  }
});

console.log(`\nDockerfile: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
