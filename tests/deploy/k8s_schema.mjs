// Validates Kubernetes objects against the API's schemas, offline, with the
// npm package kubernetes-models (its JSON-schema validators, generated from
// the Kubernetes OpenAPI spec), plus a strict check for unknown fields: those
// validators accept any extra property, so a misspelt `readinesProbe` would
// pass. The field lists come from the package's generated type declarations
// (.d.ts), which mirror the same OpenAPI spec.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "package.json"));
const modelsRoot = path.dirname(require.resolve("kubernetes-models/package.json"));

function modelModule(apiVersion, kind) {
  // "v1" is the core group; "apps/v1" -> apps/v1; "networking.k8s.io/v1" -> networking.k8s.io/v1.
  return `kubernetes-models/${apiVersion}/${kind}`;
}

// Throws an Error listing every schema violation of object.
export function validateSchema(object) {
  const where = `${object.kind}/${object.metadata?.name}`;
  let Model;
  try {
    Model = require(modelModule(object.apiVersion, object.kind))[object.kind];
  } catch {
    throw new Error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
  }
  try {
    new Model(object).validate();
  } catch (e) {
    const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}${x.params?.allowedValues ? ` ${JSON.stringify(x.params.allowedValues)}` : ""}`);
    throw new Error(`${where}: ${details.length ? details.join("; ") : e.message}`);
  }
}

// ---- strict fields ----------------------------------------------------------

const parsed = new Map();

// Parses the property lines of one interface body (or of an inline object
// type) at the given indentation: name -> { type } | { inline, array } | { map }.
function parseBlock(lines, i, indent) {
  const props = new Map();
  const pad = " ".repeat(indent);  // closing lines of nested blocks
  while (i < lines.length) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed.startsWith("/**") || trimmed.startsWith("*")) {
      i++;
      continue;
    }
    const depth = line.length - line.trimStart().length;
    if (depth < indent || (depth === indent && trimmed.startsWith("}"))) break;  // end of this block
    const m = /^"([^"]+)"\??: (.+?);?$/.exec(trimmed);
    if (!m || depth > indent) {
      i++;
      continue;
    }
    const type = m[2];
    if (type === "{" || type === "Array<{") {
      if (lines[i + 1].trim().startsWith("[key: string]")) {
        props.set(m[1], { map: true });
        i += 1;
        while (!lines[i].startsWith(`${pad}}`)) i++;
        i++;
      } else {
        const inner = parseBlock(lines, i + 1, indent + 4);
        props.set(m[1], { inline: inner.props, array: type === "Array<{" });
        i = inner.i + 1;  // the closing "};" or "}>;"
      }
      continue;
    }
    props.set(m[1], { type });
    i++;
  }
  return { props, i };
}

// Parses one generated declaration file: its imports (type name -> file) and
// the properties of its interface; null for type aliases (IntOrString...).
function parseDeclaration(file) {
  if (parsed.has(file)) return parsed.get(file);
  const text = readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const spec = m[2];
    const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : require.resolve(spec).replace(/\.js$/, "");
    imports.set(m[1], `${target}.d.ts`);
  }
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^export interface \w+( extends TypeMeta)? \{$/.test(l));
  let result = null;
  if (start >= 0) {
    const { props } = parseBlock(lines, start + 1, 4);
    if (lines[start].includes("extends TypeMeta")) {
      props.set("apiVersion", { type: "string" });
      props.set("kind", { type: "string" });
    }
    result = { imports, props };
  }
  parsed.set(file, result);
  return result;
}

function checkObject(value, props, imports, at, errors) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const prop = props.get(key);
    if (prop === undefined) {
      errors.push(`${at}.${key}: unknown field`);
      continue;
    }
    if (prop.map) continue;
    if (prop.inline) {
      const items = prop.array ? (Array.isArray(child) ? child : []) : [child];
      items.forEach((item, n) => checkObject(item, prop.inline, imports, prop.array ? `${at}.${key}[${n}]` : `${at}.${key}`, errors));
      continue;
    }
    const element = /^Array<(\w+)>$/.exec(prop.type);
    const childFile = imports.get(element ? element[1] : prop.type);
    if (!childFile || !existsSync(childFile)) continue;  // scalar or literal
    const decl = parseDeclaration(childFile);
    if (!decl) continue;  // a type alias
    if (element) {
      if (Array.isArray(child)) child.forEach((item, n) => checkObject(item, decl.props, decl.imports, `${at}.${key}[${n}]`, errors));
    } else {
      checkObject(child, decl.props, decl.imports, `${at}.${key}`, errors);
    }
  }
}

// Returns the unknown fields of object, as "path: unknown field" strings.
export function unknownFields(object) {
  const file = path.join(modelsRoot, object.apiVersion, `${object.kind}.d.ts`);
  if (!existsSync(file)) return [`${object.kind}: no type declaration for ${object.apiVersion}`];
  const decl = parseDeclaration(file);
  const errors = [];
  checkObject(object, decl.props, decl.imports, `${object.kind}/${object.metadata?.name}`, errors);
  return errors;
}
