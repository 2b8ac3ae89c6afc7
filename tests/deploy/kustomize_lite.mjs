// A small, strict kustomize renderer for exactly the features deploy/k8s
// uses, so the deploy test runs on a Debian 12 machine without kubectl or
// kustomize (neither is packaged there in a usable version: Debian's
// kubernetes-client is kubectl 1.20 with kustomize 2.0.3, which predates
// `patches`). Anything outside the subset is an error, never ignored.
//
// Supported, with kustomize v5 semantics:
//   resources        files (one or many YAML documents) and directories
//                    holding a kustomization.yaml, rendered recursively
//   namespace        set on every namespaced object; a Namespace object is
//                    renamed to it, as kustomize does
//   images           name -> newName / newTag / digest, in containers and
//                    initContainers of pod templates
//   patches          strategic-merge patches from `path` or inline `patch`,
//                    matched by kind and name (or `target`), one or many
//                    documents per file
//   configMapGenerator  files (key=path or path) and literals, options.labels
//                    and options.annotations, the content-hash name suffix
//                    (kustomize's exact hash) and the rewriting of references
//                    to the generated name in pod templates
//
// tests/deploy/check_manifests.mjs cross-checks the output against
// `kubectl kustomize` whenever kubectl is installed.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

const KUSTOMIZATION_FIELDS = new Set([
  "apiVersion", "kind", "resources", "namespace", "images", "patches", "configMapGenerator",
]);

// Kinds that are not namespaced, among those a deployment like ours could hold.
const CLUSTER_SCOPED = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
  "StorageClass", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration", "RuntimeClass", "PodSecurityPolicy",
]);

// Strategic-merge keys of the list fields a patch may touch (from the
// Kubernetes API's patchMergeKey tags), keyed by "<parent field>.<list field>"
// or by the list field alone.
const MERGE_KEYS = new Map([
  ["containers", "name"], ["initContainers", "name"], ["ephemeralContainers", "name"],
  ["env", "name"], ["volumes", "name"], ["volumeMounts", "mountPath"], ["imagePullSecrets", "name"],
  ["topologySpreadConstraints", "topologyKey"], ["hostAliases", "ip"],
  ["containers.ports", "containerPort"], ["initContainers.ports", "containerPort"],
  ["spec.ports", "port"],
]);
// List fields whose strategic-merge strategy is "replace" (no merge key).
const REPLACED_LISTS = new Set([
  "args", "command", "ingress", "egress", "from", "to", "ports", "metrics", "policyTypes",
  "tolerations", "matchExpressions", "values", "items", "sources", "accessModes", "hosts", "tls",
  "rules", "paths", "finalizers", "envFrom", "matchLabelKeys", "except", "drop", "add",
  "preferredDuringSchedulingIgnoredDuringExecution", "requiredDuringSchedulingIgnoredDuringExecution",
]);

class KustomizeError extends Error {}

function fail(where, message) {
  throw new KustomizeError(`${where}: ${message}`);
}

function loadYamlDocs(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) fail(file, doc.errors[0].message);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) fail(file, "a document is not a YAML mapping");
    out.push(value);
  }
  return out;
}

function findKustomization(dir) {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

// Go's encoding/json string escaping (HTML-safe), which kustomize's hash uses.
function goJson(value) {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${goJson(k)}:${goJson(value[k])}`).join(",")}}`;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  return JSON.stringify(value);
}

// kustomize api/hasher: sha256 over {"data","kind","name"} (binaryData when
// present), first 10 hex digits with 0 1 3 a e replaced by g h k m t. The name
// is always "" there: kustomize looks it up with a path it never resolves.
export function configMapHash(configMap) {
  const m = { kind: "ConfigMap", name: "", data: configMap.data ?? {} };
  if (configMap.binaryData && Object.keys(configMap.binaryData).length > 0) m.binaryData = configMap.binaryData;
  const hex = createHash("sha256").update(goJson(m)).digest("hex").slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ 0: "g", 1: "h", 3: "k", a: "m", e: "t" })[c]);
}

function generateConfigMaps(dir, kfile, generators, namespace) {
  const out = [];
  for (const g of generators) {
    const where = `${kfile} configMapGenerator ${g.name ?? "?"}`;
    for (const key of Object.keys(g)) {
      if (!["name", "namespace", "files", "literals", "options", "behavior"].includes(key)) {
        fail(where, `unsupported field "${key}"`);
      }
    }
    if (!g.name) fail(where, "needs a name");
    if (g.behavior && g.behavior !== "create") fail(where, `behavior "${g.behavior}" is not supported`);
    const options = g.options ?? {};
    for (const key of Object.keys(options)) {
      if (!["labels", "annotations"].includes(key)) fail(where, `unsupported option "${key}"`);
    }
    const data = {};
    for (const spec of g.files ?? []) {
      const eq = spec.indexOf("=");
      const key = eq >= 0 ? spec.slice(0, eq) : path.basename(spec);
      const rel = eq >= 0 ? spec.slice(eq + 1) : spec;
      const file = path.resolve(dir, rel);
      if (path.relative(dir, file).startsWith("..")) fail(where, `${rel} is outside ${dir} (kustomize refuses it)`);
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(where, `"${key}" is not a valid ConfigMap key`);
      if (key in data) fail(where, `duplicate key "${key}"`);
      data[key] = readFileSync(file, "utf8");
    }
    for (const literal of g.literals ?? []) {
      const eq = literal.indexOf("=");
      if (eq <= 0) fail(where, `literal "${literal}" is not key=value`);
      data[literal.slice(0, eq)] = literal.slice(eq + 1);
    }
    const metadata = { name: g.name };
    if (g.namespace ?? namespace) metadata.namespace = g.namespace ?? namespace;
    if (options.labels) metadata.labels = { ...options.labels };
    if (options.annotations) metadata.annotations = { ...options.annotations };
    out.push({
      object: { apiVersion: "v1", kind: "ConfigMap", metadata, data },
      originalName: g.name,
      needsHash: true,
    });
  }
  return out;
}

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// Strategic merge of patch into target (both plain JSON), in place.
function strategicMerge(target, patch, where, parentKey = "") {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) fail(where, `directive "${key}" is not supported`);
    if (value === null) {
      delete target[key];
      continue;
    }
    if (isPlainObject(value) && isPlainObject(target[key])) {
      strategicMerge(target[key], value, where, key);
    } else if (Array.isArray(value) && Array.isArray(target[key]) && value.some(isPlainObject)) {
      const mergeKey = MERGE_KEYS.get(`${parentKey}.${key}`) ?? MERGE_KEYS.get(key);
      if (mergeKey) {
        // kustomize (kyaml) order: the patch's items first, in patch order,
        // then the target's other items in their order.
        const merged = [];
        for (const item of value) {
          if (!isPlainObject(item) || !(mergeKey in item)) fail(where, `item of ${key} lacks its merge key ${mergeKey}`);
          const existing = target[key].find((t) => isPlainObject(t) && t[mergeKey] === item[mergeKey]);
          if (existing) {
            strategicMerge(existing, item, where, key);
            merged.push(existing);
          } else {
            merged.push(structuredClone(item));
          }
        }
        target[key] = [...merged, ...target[key].filter((t) => !merged.includes(t))];
      } else if (REPLACED_LISTS.has(key)) {
        target[key] = structuredClone(value);
      } else {
        fail(where, `list field "${key}" in a patch: its merge strategy is not known to this renderer`);
      }
    } else {
      target[key] = structuredClone(value);
    }
  }
}

function matches(resource, kind, name) {
  return resource.object.kind === kind &&
    (resource.object.metadata.name === name || resource.originalName === name);
}

function applyPatches(dir, kfile, patches, resources) {
  for (const [i, p] of patches.entries()) {
    const where = `${kfile} patches[${i}]`;
    for (const key of Object.keys(p)) {
      if (!["path", "patch", "target"].includes(key)) fail(where, `unsupported field "${key}"`);
    }
    let docs;
    if (p.path) docs = loadYamlDocs(path.resolve(dir, p.path));
    else if (p.patch) docs = YAML.parseAllDocuments(p.patch).map((d) => d.toJS()).filter(Boolean);
    else fail(where, "needs path or patch");
    if (docs.some((d) => Array.isArray(d))) fail(where, "JSON 6902 patches are not supported");
    for (const doc of docs) {
      const target = p.target ?? { kind: doc.kind, name: doc.metadata?.name };
      for (const key of Object.keys(target)) {
        if (!["kind", "name"].includes(key)) fail(where, `unsupported target field "${key}"`);
      }
      const hits = resources.filter((r) => matches(r, target.kind, target.name));
      if (hits.length === 0) fail(where, `no ${target.kind} named ${target.name} to patch`);
      for (const hit of hits) {
        const patch = structuredClone(doc);
        delete patch.apiVersion;
        delete patch.kind;
        if (patch.metadata) delete patch.metadata.name;
        strategicMerge(hit.object, patch, `${where} (${target.kind}/${target.name})`);
      }
    }
  }
}

function podSpecs(object) {
  const spec = object.spec ?? {};
  if (spec.template?.spec) return [spec.template.spec];
  if (spec.jobTemplate?.spec?.template?.spec) return [spec.jobTemplate.spec.template.spec];
  if (object.kind === "Pod") return [spec];
  return [];
}

function applyImages(kfile, images, resources) {
  for (const image of images) {
    for (const key of Object.keys(image)) {
      if (!["name", "newName", "newTag", "digest"].includes(key)) fail(`${kfile} images`, `unsupported field "${key}"`);
    }
  }
  for (const r of resources) {
    for (const spec of podSpecs(r.object)) {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        const m = /^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$/.exec(c.image ?? "");
        if (!m) continue;
        const rule = images.find((i) => i.name === m.groups.name);
        if (!rule) continue;
        const name = rule.newName ?? m.groups.name;
        if (rule.digest) c.image = `${name}@${rule.digest}`;
        else if (rule.newTag) c.image = `${name}:${rule.newTag}`;
        else c.image = `${name}${m.groups.tag ? `:${m.groups.tag}` : ""}${m.groups.digest ? `@${m.groups.digest}` : ""}`;
      }
    }
  }
}

function applyNamespace(namespace, resources) {
  for (const r of resources) {
    if (r.object.kind === "Namespace") r.object.metadata.name = namespace;
    else if (!CLUSTER_SCOPED.has(r.object.kind)) r.object.metadata.namespace = namespace;
  }
}

// Rewrites references to generated ConfigMaps (original name -> hashed name)
// in pod templates: volumes, projected volumes, envFrom and env valueFrom.
function fixConfigMapReferences(resources, renamed) {
  const rename = (holder, field) => {
    if (holder && renamed.has(holder[field])) holder[field] = renamed.get(holder[field]);
  };
  for (const r of resources) {
    for (const spec of podSpecs(r.object)) {
      for (const v of spec.volumes ?? []) {
        rename(v.configMap, "name");
        for (const s of v.projected?.sources ?? []) rename(s.configMap, "name");
      }
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        for (const e of c.envFrom ?? []) rename(e.configMapRef, "name");
        for (const e of c.env ?? []) rename(e.valueFrom?.configMapKeyRef, "name");
      }
    }
  }
}

function build(dir, seen) {
  const kfile = findKustomization(dir);
  if (!kfile) fail(dir, "no kustomization.yaml");
  if (seen.has(kfile)) fail(kfile, "cycle in resources");
  seen.add(kfile);
  const docs = loadYamlDocs(kfile);
  if (docs.length !== 1) fail(kfile, "must hold one document");
  const k = docs[0];
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZATION_FIELDS.has(key)) fail(kfile, `field "${key}" is not supported by this renderer`);
  }
  if (k.kind !== undefined && k.kind !== "Kustomization") fail(kfile, `kind ${k.kind} is not supported`);

  let resources = [];
  for (const entry of k.resources ?? []) {
    const p = path.resolve(dir, entry);
    if (!existsSync(p)) fail(kfile, `resource ${entry} does not exist`);
    if (statSync(p).isDirectory()) {
      resources.push(...build(p, seen));
    } else {
      for (const object of loadYamlDocs(p)) {
        if (!object.kind || !object.metadata?.name) fail(p, "every object needs kind and metadata.name");
        resources.push({ object, originalName: object.metadata.name, needsHash: false });
      }
    }
  }
  resources.push(...generateConfigMaps(dir, kfile, k.configMapGenerator ?? [], k.namespace));
  applyPatches(dir, kfile, k.patches ?? [], resources);
  if (k.namespace) applyNamespace(k.namespace, resources);
  applyImages(kfile, k.images ?? [], resources);

  const ids = new Set();
  for (const r of resources) {
    const id = `${r.object.kind}/${r.object.metadata.namespace ?? ""}/${r.originalName}`;
    if (ids.has(id)) fail(kfile, `two objects ${id}`);
    ids.add(id);
  }
  seen.delete(kfile);
  return resources;
}

// Renders the kustomization in dir; returns the list of objects.
export function kustomizeBuild(dir) {
  const resources = build(path.resolve(dir), new Set());
  const renamed = new Map();
  for (const r of resources) {
    if (!r.needsHash) continue;
    const hashed = `${r.originalName}-${configMapHash(r.object)}`;
    renamed.set(r.originalName, hashed);
    r.object.metadata.name = hashed;
  }
  fixConfigMapReferences(resources, renamed);
  return resources.map((r) => r.object);
}

export { KustomizeError };
