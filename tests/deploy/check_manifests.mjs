// Offline checks of deploy/k8s: renders the dev and prod overlays (with
// kustomize_lite.mjs; cross-checked against `kubectl kustomize` when kubectl is
// installed), validates every object against the Kubernetes schemas
// (kubernetes-models, plus unknown fields), and enforces the deployment
// policy: pinned images, probes, requests and limits, non-root, read-only
// root filesystem, no privilege, least-privilege NetworkPolicies, settings
// the services really have, and the shape each overlay promises.
//
//   node tests/deploy/check_manifests.mjs   (from anywhere; exit 1 on any failure)
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { unknownFields, validateSchema } from "./k8s_schema.mjs";
import { kustomizeBuild } from "./kustomize_lite.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const k8s = path.join(root, "deploy/k8s");

let passed = 0;
let failed = 0;
function check(name, fn) {
  const problems = [];
  try {
    fn((message) => problems.push(message));
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

const id = (o) => `${o.kind}/${o.metadata.name}`;
const SERVICES = ["edge", "token", "toolgen", "proxy"];
const GRPC_SERVICES = ["token", "toolgen", "proxy"];
const ENV_PREFIX = { edge: "EDGE_", token: "TOKEN_", toolgen: "TOOLGEN_", proxy: "PROXY_" };
const GRPC_PORT = 50051;

// ---- what the services accept ----------------------------------------------

// Every setting a binary reads (common/config/settings_reader.h: flag --name
// or env <PREFIX><NAME>; secrets also <NAME>_FILE), parsed from the sources,
// so a misspelt variable in a manifest (silently ignored by the service) fails
// here.
function settingsOf(service) {
  const files = [path.join(root, `services/${service}/${service}_settings.cc`)];
  if (service !== "edge") files.push(path.join(root, "common/service/service_runner.cc"));
  const names = new Set();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/reader\.(String|RequiredString|Int|Bool|Duration|Secret|List)\(\s*"([a-z0-9-]+)"/g)) {
      names.add(m[2]);
      if (m[1] === "Secret") names.add(`${m[2]}-file`);
    }
  }
  return new Set([...names].map((n) => ENV_PREFIX[service] + n.toUpperCase().replaceAll("-", "_")));
}

// ---- helpers over rendered objects ------------------------------------------

function workloads(objects) {
  return objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(o.kind));
}
function podSpec(w) {
  return w.kind === "CronJob" ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
}
function podLabels(w) {
  return (w.kind === "CronJob" ? w.spec.jobTemplate.spec.template.metadata : w.spec.template.metadata)?.labels ?? {};
}
function allContainers(spec) {
  return [...(spec.initContainers ?? []), ...spec.containers];
}
function selects(selector, labels) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
function quantity(q) {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return NaN;
  const units = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(m[1]) * (units[m[2]] ?? NaN);
}
function envOf(container) {
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}
function durationSeconds(text) {
  const m = /^(\d+)(ms|s|m)$/.exec(text ?? "");
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2]];
}

// ---- network reachability -----------------------------------------------------

// The peers a NetworkPolicy ingress rule admits: pod label sets of this
// namespace, or "outside" for anything else (ipBlock, namespaceSelector, no
// `from` at all).
function ingressPeers(rule, pods) {
  if (!rule.from || rule.from.length === 0) return new Set(["outside", ...pods.map((p) => p.app)]);
  const out = new Set();
  for (const peer of rule.from) {
    if (peer.ipBlock || peer.namespaceSelector) {
      out.add("outside");
      continue;
    }
    for (const p of pods) if (selects(peer.podSelector, p.labels)) out.add(p.app);
  }
  return out;
}
function rulePorts(rule) {
  return rule.ports ? rule.ports.map((p) => p.port) : ["any"];
}
// Who may open a connection to app on port, as allowed by every policy that
// selects app for ingress (NetworkPolicies are additive).
function allowedSources(objects, pods, app, port) {
  const target = pods.find((p) => p.app === app);
  const out = new Set();
  for (const np of objects.filter((o) => o.kind === "NetworkPolicy")) {
    if (!(np.spec.policyTypes ?? ["Ingress"]).includes("Ingress")) continue;
    if (!selects(np.spec.podSelector, target.labels) && Object.keys(np.spec.podSelector).length !== 0) continue;
    for (const rule of np.spec.ingress ?? []) {
      const ports = rulePorts(rule);
      if (ports.includes("any") || ports.includes(port)) for (const s of ingressPeers(rule, pods)) out.add(s);
    }
  }
  return out;
}

// ---- the checks ----------------------------------------------------------------

const secretTemplate = YAML.parseAllDocuments(readFileSync(path.join(k8s, "secrets/secrets.example.yaml"), "utf8"))
  .map((d) => d.toJS())
  .filter(Boolean);

function policyChecks(overlay, objects) {
  const pods = workloads(objects).map((w) => ({ app: podLabels(w)["app.kubernetes.io/name"], labels: podLabels(w), w }));

  check(`${overlay}: every object matches the Kubernetes schema`, (bad) => {
    for (const o of objects) {
      try {
        validateSchema(o);
      } catch (e) {
        bad(e.message);
      }
    }
  });
  check(`${overlay}: no unknown fields`, (bad) => {
    for (const o of objects) for (const u of unknownFields(o)) bad(u);
  });
  check(`${overlay}: everything in one namespace that enforces the restricted Pod Security Standard`, (bad) => {
    const ns = objects.filter((o) => o.kind === "Namespace");
    if (ns.length !== 1) return bad(`expected one Namespace, got ${ns.length}`);
    const labels = ns[0].metadata.labels ?? {};
    if (labels["pod-security.kubernetes.io/enforce"] !== "restricted") bad("Namespace lacks pod-security.kubernetes.io/enforce: restricted");
    for (const o of objects) {
      if (o.kind !== "Namespace" && o.metadata.namespace !== ns[0].metadata.name) bad(`${id(o)} is in namespace ${o.metadata.namespace}`);
    }
  });
  check(`${overlay}: images pinned (explicit tag or digest, never latest)`, (bad) => {
    for (const w of workloads(objects)) {
      for (const c of allContainers(podSpec(w))) {
        const m = /^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/.exec(c.image ?? "");
        if (!m) bad(`${id(w)}/${c.name}: unparsable image "${c.image}"`);
        else if (!m.groups.tag && !m.groups.digest) bad(`${id(w)}/${c.name}: image "${c.image}" has no tag or digest`);
        else if (m.groups.tag === "latest") bad(`${id(w)}/${c.name}: image "${c.image}" uses latest`);
        if (c.imagePullPolicy === "Always") bad(`${id(w)}/${c.name}: imagePullPolicy Always hides unpinned images`);
      }
    }
  });
  check(`${overlay}: readiness and liveness probes on every container; native gRPC probes for gRPC services, HTTP for edge`, (bad) => {
    for (const w of workloads(objects)) {
      const app = podLabels(w)["app.kubernetes.io/name"];
      for (const c of podSpec(w).containers) {
        for (const probe of ["readinessProbe", "livenessProbe"]) {
          const p = c[probe];
          if (!p) {
            bad(`${id(w)}/${c.name}: no ${probe}`);
            continue;
          }
          if (GRPC_SERVICES.includes(app) && p.grpc?.port !== GRPC_PORT) bad(`${id(w)}/${c.name}: ${probe} is not a gRPC probe on ${GRPC_PORT}`);
          if (app === "edge" && !p.httpGet) bad(`${id(w)}/${c.name}: ${probe} is not an HTTP probe`);
        }
        if (app === "edge" && c.readinessProbe?.httpGet?.path !== "/readyz") bad("edge readiness must be /readyz (backends reachable)");
        if (app === "edge" && c.livenessProbe?.httpGet?.path !== "/healthz") bad("edge liveness must be /healthz");
      }
    }
  });
  check(`${overlay}: cpu and memory requests and limits on every container, requests <= limits`, (bad) => {
    for (const w of workloads(objects)) {
      for (const c of allContainers(podSpec(w))) {
        for (const kind of ["requests", "limits"]) {
          for (const r of ["cpu", "memory"]) {
            if (c.resources?.[kind]?.[r] === undefined) bad(`${id(w)}/${c.name}: no ${kind}.${r}`);
          }
        }
        for (const r of ["cpu", "memory"]) {
          const req = quantity(c.resources?.requests?.[r]);
          const lim = quantity(c.resources?.limits?.[r]);
          if (!(req <= lim)) bad(`${id(w)}/${c.name}: ${r} request ${c.resources?.requests?.[r]} exceeds limit ${c.resources?.limits?.[r]}`);
        }
      }
    }
  });
  check(`${overlay}: no privilege (non-root, read-only root FS, no escalation, ALL capabilities dropped, seccomp, no host access)`, (bad) => {
    for (const w of workloads(objects)) {
      const spec = podSpec(w);
      const psc = spec.securityContext ?? {};
      for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f]) bad(`${id(w)}: ${f}`);
      for (const v of spec.volumes ?? []) if (v.hostPath) bad(`${id(w)}: hostPath volume ${v.name}`);
      if (psc.seccompProfile?.type !== "RuntimeDefault") bad(`${id(w)}: pod seccompProfile is not RuntimeDefault`);
      for (const c of allContainers(spec)) {
        const sc = c.securityContext ?? {};
        const where = `${id(w)}/${c.name}`;
        if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) bad(`${where}: runAsNonRoot is not true`);
        const uid = sc.runAsUser ?? psc.runAsUser;
        if (!(Number.isInteger(uid) && uid > 0)) bad(`${where}: runAsUser must be a numeric non-root UID`);
        if (sc.privileged === true) bad(`${where}: privileged`);
        if (sc.allowPrivilegeEscalation !== false) bad(`${where}: allowPrivilegeEscalation is not false`);
        if (sc.readOnlyRootFilesystem !== true) bad(`${where}: readOnlyRootFilesystem is not true`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad(`${where}: capabilities do not drop ALL`);
        if ((sc.capabilities?.add ?? []).length > 0) bad(`${where}: adds capabilities`);
      }
    }
  });
  check(`${overlay}: no Kubernetes API token in any pod, no service-link variables`, (bad) => {
    for (const w of workloads(objects)) {
      const spec = podSpec(w);
      if (spec.automountServiceAccountToken !== false) bad(`${id(w)}: automountServiceAccountToken is not false`);
      if (spec.enableServiceLinks !== false) bad(`${id(w)}: enableServiceLinks is not false (it injects <SERVICE>_PORT... variables)`);
      const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === spec.serviceAccountName);
      if (!sa) bad(`${id(w)}: ServiceAccount ${spec.serviceAccountName} is not in the overlay`);
      else if (sa.automountServiceAccountToken !== false) bad(`${id(sa)}: automountServiceAccountToken is not false`);
    }
    const roles = objects.filter((o) => /Role/.test(o.kind));
    if (roles.length > 0) bad(`RBAC objects present: ${roles.map(id).join(", ")} (the services need no API access)`);
  });
  check(`${overlay}: each service has its Deployment, Service and ServiceAccount; gRPC Services are headless`, (bad) => {
    for (const s of SERVICES) {
      for (const kind of ["Deployment", "Service", "ServiceAccount"]) {
        if (!objects.some((o) => o.kind === kind && o.metadata.name === s)) bad(`no ${kind} ${s}`);
      }
      const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === s);
      if (svc && GRPC_SERVICES.includes(s) && svc.spec.clusterIP !== "None") bad(`Service ${s} is not headless (clusterIP: None), so round_robin cannot see the replicas`);
    }
    for (const svc of objects.filter((o) => o.kind === "Service")) {
      const backing = pods.filter((p) => selects({ matchLabels: svc.spec.selector }, p.labels));
      if (backing.length === 0) bad(`${id(svc)} selects no pods`);
      for (const port of svc.spec.ports) {
        for (const p of backing) {
          const named = allContainers(podSpec(p.w)).some((c) => (c.ports ?? []).some((cp) => cp.name === port.targetPort || cp.containerPort === port.targetPort));
          if (!named) bad(`${id(svc)} port ${port.name}: targetPort ${port.targetPort} is not a port of ${id(p.w)}`);
        }
      }
    }
  });
  check(`${overlay}: every env variable is a setting the service has; peers by dns:/// name`, (bad) => {
    for (const s of SERVICES) {
      const w = objects.find((o) => o.kind === "Deployment" && o.metadata.name === s);
      if (!w) continue;
      const known = settingsOf(s);
      const c = podSpec(w).containers[0];
      if (c.command?.[0] !== `/usr/local/bin/${s}`) bad(`${id(w)}: command is not /usr/local/bin/${s}`);
      for (const name of envOf(c).keys()) if (!known.has(name)) bad(`${id(w)}: ${name} is not a setting of ${s}`);
      for (const [name, e] of envOf(c)) {
        if (/_ADDRESS$/.test(name) && name !== "TOKEN_REDIS_ADDRESS" && !/^dns:\/\/\/[a-z0-9-]+:\d+$/.test(e.value ?? "")) {
          bad(`${id(w)}: ${name}=${e.value} is not dns:///<service>:<port>`);
        }
        if (/_ADDRESS$/.test(name) && name !== "TOKEN_REDIS_ADDRESS") {
          const [, peer, port] = /^dns:\/\/\/([a-z0-9-]+):(\d+)$/.exec(e.value) ?? [];
          const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === peer);
          if (!svc || !svc.spec.ports.some((p) => p.port === Number(port))) bad(`${id(w)}: ${name} names no Service port (${e.value})`);
        }
        if (/(KEY|PEPPER|TOKEN|PASSWORD)$/.test(name) && e.value !== undefined) bad(`${id(w)}: secret ${name} given as a plain value; use ${name}_FILE`);
      }
      const listen = envOf(c).get(`${ENV_PREFIX[s]}LISTEN`)?.value ?? "";
      if (!listen.startsWith("0.0.0.0:")) bad(`${id(w)}: ${ENV_PREFIX[s]}LISTEN must listen on all interfaces, got "${listen}"`);
      if (s !== "edge" && !(envOf(c).get(`${ENV_PREFIX[s]}ADMIN_LISTEN`)?.value ?? "").startsWith("0.0.0.0:")) bad(`${id(w)}: admin listener not on all interfaces`);
    }
  });
  check(`${overlay}: every Secret a pod uses is in secrets/secrets.example.yaml with that key, mounted read-only`, (bad) => {
    const template = new Map(secretTemplate.map((s) => [s.metadata.name, new Set(Object.keys(s.stringData ?? {}))]));
    const need = (w, name, key) => {
      if (!template.has(name)) bad(`${id(w)}: Secret ${name} is not in the template`);
      else if (key !== undefined && !template.get(name).has(key)) bad(`${id(w)}: Secret ${name} has no key ${key} in the template`);
    };
    for (const w of workloads(objects)) {
      const spec = podSpec(w);
      for (const v of spec.volumes ?? []) {
        const sources = v.secret ? [{ secret: { name: v.secret.secretName, items: v.secret.items } }] : (v.projected?.sources ?? []);
        for (const s of sources.filter((x) => x.secret)) {
          if (!s.secret.items) bad(`${id(w)}: volume ${v.name} mounts all of ${s.secret.name}; list the keys it needs`);
          for (const item of s.secret.items ?? []) need(w, s.secret.name, item.key);
        }
        const mode = v.secret?.defaultMode ?? v.projected?.defaultMode;
        if ((v.secret || v.projected) && !(mode !== undefined && (mode & 0o037) === 0)) bad(`${id(w)}: volume ${v.name} defaultMode ${mode} is readable by others or writable`);
        if (v.secret || v.projected) {
          for (const c of allContainers(spec)) {
            for (const m of c.volumeMounts ?? []) if (m.name === v.name && m.readOnly !== true) bad(`${id(w)}/${c.name}: secret volume ${v.name} not mounted readOnly`);
          }
        }
      }
      for (const c of allContainers(spec)) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) need(w, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      }
    }
    for (const s of secretTemplate) {
      for (const [k, v] of Object.entries(s.stringData ?? {})) {
        if (v && !/^REPLACE_|^k1$/.test(v)) bad(`secrets.example.yaml: ${s.metadata.name}.${k} holds a value, not a placeholder`);
      }
    }
  });
  check(`${overlay}: graceful rollouts (maxUnavailable 0, grace period covers preStop + drain)`, (bad) => {
    for (const w of objects.filter((o) => o.kind === "Deployment")) {
      const ru = w.spec.strategy?.rollingUpdate;
      if (w.spec.strategy?.type !== "RollingUpdate" || ru?.maxUnavailable !== 0) bad(`${id(w)}: not a RollingUpdate with maxUnavailable 0`);
      const spec = podSpec(w);
      const c = spec.containers[0];
      const sleep = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? NaN);
      if (!(sleep > 0)) bad(`${id(w)}: no preStop sleep (endpoints must be removed before the process stops)`);
      const app = podLabels(w)["app.kubernetes.io/name"];
      const drain = GRPC_SERVICES.includes(app) ? durationSeconds(envOf(c).get(`${ENV_PREFIX[app]}DRAIN_TIMEOUT`)?.value) : 0;
      if (Number.isNaN(drain)) bad(`${id(w)}: ${ENV_PREFIX[app]}DRAIN_TIMEOUT not set explicitly`);
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      if (!(grace >= sleep + drain + 5)) bad(`${id(w)}: terminationGracePeriodSeconds ${grace} < preStop ${sleep}s + drain ${drain}s + 5s`);
      if (app === "proxy") {
        const upstream = durationSeconds(envOf(c).get("PROXY_UPSTREAM_TIMEOUT")?.value);
        if (!(drain > upstream)) bad(`${id(w)}: PROXY_DRAIN_TIMEOUT must exceed PROXY_UPSTREAM_TIMEOUT`);
      }
    }
  });
  check(`${overlay}: a PodDisruptionBudget for every Deployment; HPAs for edge and proxy own their replica count`, (bad) => {
    const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
    for (const w of objects.filter((o) => o.kind === "Deployment")) {
      const mine = pdbs.filter((p) => selects(p.spec.selector, podLabels(w)));
      if (mine.length !== 1) bad(`${id(w)}: ${mine.length} PodDisruptionBudgets`);
      else if (mine[0].spec.minAvailable !== undefined) bad(`${id(mine[0])}: use maxUnavailable (minAvailable blocks drains at one replica)`);
    }
    const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
    for (const s of ["edge", "proxy"]) {
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === s);
      if (!hpa) bad(`no HorizontalPodAutoscaler for ${s}`);
      const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === s);
      if (d?.spec.replicas !== undefined) bad(`Deployment ${s} sets replicas, which fights its HPA on every apply`);
    }
    for (const h of hpas) {
      if (!objects.some((o) => o.kind === h.spec.scaleTargetRef.kind && o.metadata.name === h.spec.scaleTargetRef.name)) bad(`${id(h)} targets nothing`);
    }
  });
  check(`${overlay}: NetworkPolicies: default deny, and only the documented peers`, (bad) => {
    const nps = objects.filter((o) => o.kind === "NetworkPolicy");
    const deny = nps.find((n) => Object.keys(n.spec.podSelector).length === 0 && !n.spec.ingress && !n.spec.egress &&
      ["Ingress", "Egress"].every((t) => (n.spec.policyTypes ?? []).includes(t)));
    if (!deny) bad("no default-deny policy (podSelector {}, Ingress and Egress, no rules)");
    for (const p of pods) {
      const own = nps.filter((n) => Object.keys(n.spec.podSelector).length > 0 && selects(n.spec.podSelector, p.labels));
      if (!own.some((n) => (n.spec.policyTypes ?? []).includes("Egress"))) bad(`${p.app}: no egress policy of its own`);
    }
    const expect = {
      token: [GRPC_PORT, ["edge", "proxy"]],
      toolgen: [GRPC_PORT, ["edge", "token"]],
      proxy: [GRPC_PORT, ["edge"]],
      redis: [6379, ["token"]],
    };
    for (const [app, [port, peers]] of Object.entries(expect)) {
      if (!pods.some((p) => p.app === app)) continue;
      const got = [...allowedSources(objects, pods, app, port)].sort();
      if (JSON.stringify(got) !== JSON.stringify([...peers].sort())) bad(`${app}:${port} reachable from [${got}], expected [${peers}]`);
    }
    const edgeFrom = allowedSources(objects, pods, "edge", 8080);
    if (!edgeFrom.has("outside")) bad("edge:8080 is not reachable from outside the namespace");
    // Nothing but edge takes traffic from outside, the metrics port aside.
    for (const np of nps) {
      for (const rule of np.spec.ingress ?? []) {
        if (!ingressPeers(rule, pods).has("outside")) continue;
        const targets = pods.filter((p) => selects(np.spec.podSelector, p.labels)).map((p) => p.app);
        const ports = rulePorts(rule);
        const onlyEdge = targets.every((t) => t === "edge");
        const onlyMetrics = ports.every((x) => x === 9090) && rule.from?.every((f) => f.namespaceSelector && !f.ipBlock);
        if (!onlyEdge && !onlyMetrics) bad(`${id(np)} admits traffic from outside to ${targets} on ${ports}`);
      }
    }
    const proxyNp = nps.find((n) => n.metadata.name === "proxy");
    const ipRules = (proxyNp?.spec.egress ?? []).flatMap((r) => (r.to ?? []).filter((t) => t.ipBlock).map((t) => [t.ipBlock, rulePorts(r)]));
    if (!ipRules.some(([b]) => b.cidr === "0.0.0.0/0")) bad("proxy has no egress to Caspio (HTTPS)");
    for (const [b, ports] of ipRules) {
      if (!ports.every((x) => x === 443)) bad(`proxy egress to ${b.cidr} on ports ${ports}, expected 443 only`);
      if (b.cidr === "0.0.0.0/0" && !["10.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"].every((c) => (b.except ?? []).includes(c))) {
        bad("proxy egress 0.0.0.0/0 must exclude private and link-local (metadata) ranges");
      }
    }
  });
  check(`${overlay}: integration ConfigMap mounted file by file at the repository's layout`, (bad) => {
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("caspio-integration-"));
    if (!cm) return bad("no caspio-integration ConfigMap (with hash suffix)");
    const size = Object.entries(cm.data).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
    if (size > 900 * 1024) bad(`ConfigMap data is ${size} bytes; the API limit is 1 MiB`);
    if (!("integration.json" in cm.data)) bad("no integration.json key");
    const toolgen = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "toolgen");
    const spec = podSpec(toolgen);
    const vol = spec.volumes.find((v) => v.configMap?.name === cm.metadata.name);
    if (!vol) return bad("toolgen does not mount the integration ConfigMap");
    const c = spec.containers[0];
    const dir = envOf(c).get("TOOLGEN_INTEGRATION_DIR")?.value;
    const mounts = c.volumeMounts.filter((m) => m.name === vol.name);
    // subPath only: a directory mount would be a symlink farm (..data/...).
    for (const m of mounts) if (!m.subPath) bad(`${m.mountPath}: mounted as a directory, not by subPath`);
    for (const k of Object.keys(cm.data)) {
      const want = `${dir}/${k.replaceAll("__", "/")}`;
      if (!mounts.some((m) => m.subPath === k && m.mountPath === want && m.readOnly === true)) bad(`key ${k} is not mounted read-only at ${want}`);
    }
    if (mounts.length !== Object.keys(cm.data).length) bad(`${mounts.length} mounts for ${Object.keys(cm.data).length} keys`);
  });
}

function overlayShape(objects, want) {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const replicas = (d) => {
    const h = hpas.find((x) => x.spec.scaleTargetRef.name === d.metadata.name);
    return h ? [h.spec.minReplicas ?? 1, h.spec.maxReplicas] : [d.spec.replicas ?? 1, d.spec.replicas ?? 1];
  };
  if (want === "dev") {
    check("dev: one replica of everything, the in-cluster Redis with AOF on a PVC", (bad) => {
      for (const d of deployments) if (JSON.stringify(replicas(d)) !== "[1,1]") bad(`${id(d)}: replicas ${replicas(d)}`);
      const redis = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "redis");
      if (!redis) return bad("no Redis StatefulSet");
      if (redis.spec.replicas !== 1) bad("Redis replicas is not 1");
      const args = podSpec(redis).containers[0].args.join(" ");
      if (!/--appendonly yes/.test(args)) bad("Redis runs without AOF");
      if (!/--maxmemory-policy noeviction/.test(args)) bad("Redis may evict keys (token's state)");
      const dataMount = podSpec(redis).containers[0].volumeMounts.find((m) => m.mountPath === "/data");
      if (!redis.spec.volumeClaimTemplates?.some((t) => t.metadata.name === dataMount?.name)) bad("/data is not on a PVC");
      const token = deployments.find((d) => d.metadata.name === "token");
      if (envOf(podSpec(token).containers[0]).get("TOKEN_REDIS_ADDRESS")?.value !== "redis:6379") bad("token does not use the in-cluster Redis");
    });
  } else {
    check("prod: several replicas, spread over nodes and zones, external Redis, an Ingress to edge only", (bad) => {
      for (const d of deployments) {
        const [min] = replicas(d);
        if (min < 3) bad(`${id(d)}: at least 3 replicas expected, got ${min}`);
        const spec = podSpec(d);
        const zone = (spec.topologySpreadConstraints ?? []).some((t) => t.topologyKey === "topology.kubernetes.io/zone" && selects(t.labelSelector, podLabels(d)));
        const host = (spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
          .some((t) => t.podAffinityTerm.topologyKey === "kubernetes.io/hostname" && selects(t.podAffinityTerm.labelSelector, podLabels(d)));
        if (!zone) bad(`${id(d)}: no zone topology spread`);
        if (!host) bad(`${id(d)}: no anti-affinity across nodes`);
      }
      if (objects.some((o) => o.kind === "StatefulSet" && o.metadata.name === "redis")) bad("prod runs the in-cluster Redis");
      const token = deployments.find((d) => d.metadata.name === "token");
      const address = envOf(podSpec(token).containers[0]).get("TOKEN_REDIS_ADDRESS")?.value ?? "";
      if (address === "redis:6379" || !/^[a-z0-9.-]+:\d+$/.test(address)) bad(`token's Redis address "${address}" is not an external host:port`);
      const ingresses = objects.filter((o) => o.kind === "Ingress");
      if (ingresses.length !== 1) bad(`expected one Ingress, got ${ingresses.length}`);
      for (const ing of ingresses) {
        if (!ing.spec.tls?.length) bad(`${id(ing)}: no TLS`);
        for (const rule of ing.spec.rules) {
          for (const p of rule.http.paths) {
            if (p.backend.service?.name !== "edge") bad(`${id(ing)}: routes ${p.path} to ${p.backend.service?.name}`);
            if (!p.path.startsWith("/mcp")) bad(`${id(ing)}: exposes ${p.path} publicly (admin API and /metrics stay internal)`);
          }
          const url = envOf(podSpec(deployments.find((d) => d.metadata.name === "edge")).containers[0]).get("EDGE_PUBLIC_URL")?.value;
          if (url !== `https://${rule.host}`) bad(`EDGE_PUBLIC_URL ${url} does not match the Ingress host ${rule.host}`);
        }
      }
    });
  }
}

// ---- main ------------------------------------------------------------------------

function canonical(value) {
  return JSON.stringify(value, (_, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));
}

// The cross-check needs kustomize v5 semantics (kubectl 1.27+); an older
// kubectl (Debian's 1.20 embeds kustomize 2.0.3) is not a reference.
const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const kustomizeMajor = Number(/Kustomize Version: v(\d+)/.exec(kubectl.stdout ?? "")?.[1] ?? 0);
const haveKubectl = kubectl.status === 0 && kustomizeMajor >= 5;

check("base/integration is in sync with integrations/caspio (deploy/k8s/sync-integration.sh --check)", (bad) => {
  const r = spawnSync(path.join(k8s, "sync-integration.sh"), ["--check"], { encoding: "utf8" });
  if (r.status !== 0) bad((r.stderr || r.stdout).trim());
});

for (const overlay of ["dev", "prod"]) {
  const dir = path.join(k8s, "overlays", overlay);
  let objects = null;
  check(`${overlay}: renders`, () => {
    objects = kustomizeBuild(dir);
  });
  if (!objects) continue;
  console.log(`     ${overlay}: ${objects.length} objects: ${[...new Set(objects.map((o) => o.kind))].join(", ")}`);
  if (haveKubectl) {
    check(`${overlay}: kubectl kustomize renders the same objects`, (bad) => {
      const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
      const theirs = new Map(YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean).map((o) => [`${o.kind}/${o.metadata.name}`, canonical(o)]));
      const mine = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, canonical(o)]));
      for (const [k, v] of theirs) if (mine.get(k) !== v) bad(`${k} differs${mine.has(k) ? "" : " (missing here)"}`);
      for (const k of mine.keys()) if (!theirs.has(k)) bad(`${k} not rendered by kubectl`);
    });
  } else {
    console.log(`     ${overlay}: no kubectl with kustomize v5 installed, cross-check with kubectl skipped`);
  }
  policyChecks(overlay, objects);
  overlayShape(objects, overlay);
}

// The renderer must refuse what it does not implement rather than ignore it.
check("renderer refuses kustomize features outside its subset", (bad) => {
  const dir = path.join(here, "testdata/unsupported");
  for (const name of readdirSync(dir)) {
    try {
      kustomizeBuild(path.join(dir, name));
      bad(`${name}: rendered without error`);
    } catch (e) {
      if (!/not supported|unsupported|not known/.test(e.message)) bad(`${name}: unexpected error ${e.message}`);
    }
  }
});

console.log(`\ndeploy manifests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
