// Checks the golden tools/list (golden/tools_list.json) with the tools MCP
// clients themselves use, from tests/e2e/node_modules:
//  - every inputSchema/outputSchema against the JSON Schema 2020-12
//    meta-schema (Ajv2020.validateSchema) and compiled in Ajv's strict mode;
//  - every record's example arguments/result, and every error shape the proxy
//    produces, validated exactly as the TypeScript SDK client validates
//    structuredContent (Ajv draft-07, ajv-formats, strict false);
//  - the whole list against the SDK's ListToolsResultSchema (MCP 2025-11-25).
//   node ajv_schema_check.mjs        (CMCP_SOURCE_DIR = repository root)
// Exits 77 (ctest: skipped) when the e2e node_modules are not installed.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const root = process.env.CMCP_SOURCE_DIR ?? path.resolve(import.meta.dirname, "../../..");
const e2e = path.join(root, "tests/e2e");
if (!fs.existsSync(path.join(e2e, "node_modules/ajv")) ||
    !fs.existsSync(path.join(e2e, "node_modules/@modelcontextprotocol/sdk"))) {
  console.log("SKIP tests/e2e/node_modules is not installed (npm ci in tests/e2e)");
  process.exit(77);
}
const require = createRequire(path.join(e2e, "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const AjvDraft7 = require("ajv").default;
const addFormats = require("ajv-formats").default ?? require("ajv-formats");
const { ListToolsResultSchema } = await import(path.join(e2e, "node_modules/@modelcontextprotocol/sdk/dist/esm/types.js"));

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? "" : ": " + JSON.stringify(detail).slice(0, 600)}`);
  }
}

const list = JSON.parse(fs.readFileSync(path.join(root, "tests/services/toolgen/golden/tools_list.json"), "utf8"));
// Strict mode refuses unknown keywords and ambiguous types. strictRequired is
// off: the anyOf/oneOf branches say which members are required and the parent
// schema defines them, which is valid JSON Schema that strictRequired flags.
const strict = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
// The SDK client's own configuration (sdk/dist/esm/validation/ajv-provider.js).
const sdk = new AjvDraft7({ strict: false, validateFormats: true, validateSchema: false, allErrors: true });
addFormats(sdk);

// Example arguments and results from the documentation records, by tool name.
const integrationDir = path.join(root, "integrations/caspio");
const integration = JSON.parse(fs.readFileSync(path.join(integrationDir, "integration.json"), "utf8"));
const examples = new Map();
for (const [resource, r] of Object.entries(integration.resources)) {
  for (const method of Object.keys(r.methods)) {
    const name = { list: `list_all_caspio_${r.plural}`, get: `get_single_caspio_${r.singular}_by_id`,
                   create: `create_a_caspio_${r.singular}`, update: `update_a_caspio_${r.singular}_by_id`,
                   delete: `delete_a_caspio_${r.singular}_by_id` }[method] ?? `caspio_${resource}_${method}`;
    const record = JSON.parse(fs.readFileSync(path.join(integrationDir, "documentation", resource, `${method}.json`), "utf8"));
    examples.set(name, record.examples ?? {});
  }
}

const errorShapes = [
  { status: 404, code: "ObjectNotFound", message: "Table not found", request_id: "9f1c" },
  { status: 429, error: "rate_limited", ratelimit: { limit: 2000, remaining: 0, reset: 42 }, retry_after: 42 },
];

check("tools/list matches the SDK's ListToolsResultSchema", ListToolsResultSchema.safeParse(list).success,
      ListToolsResultSchema.safeParse(list).error?.issues?.slice(0, 3));
for (const tool of list.tools) {
  for (const key of ["inputSchema", "outputSchema"]) {
    const schema = tool[key];
    if (!schema) continue;
    check(`${tool.name} ${key} is a valid JSON Schema 2020-12`, strict.validateSchema(schema), strict.errors);
    try {
      strict.compile(schema);
      check(`${tool.name} ${key} compiles in strict mode`, true);
    } catch (e) {
      check(`${tool.name} ${key} compiles in strict mode`, false, String(e));
    }
  }
  const example = examples.get(tool.name);
  check(`${tool.name} has a documentation record`, example !== undefined);
  if (example?.arguments) {
    const validate = sdk.compile(tool.inputSchema);
    check(`${tool.name} example arguments fit inputSchema`, validate(example.arguments), validate.errors);
  }
  if (tool.outputSchema) {
    const validate = sdk.compile(tool.outputSchema);
    check(`${tool.name} example result fits outputSchema (as the SDK client checks it)`,
          example?.result !== undefined && validate(example.result), validate.errors);
    for (const shape of errorShapes) {
      check(`${tool.name} outputSchema admits the error shape ${shape.status}`, validate(shape), validate.errors);
    }
    if (tool.inputSchema.properties.dry_run) {
      check(`${tool.name} outputSchema admits a dry run`, validate({ dry_run: true, matched: 2, first: [{ PK_ID: 1 }] }),
            validate.errors);
    }
  }
}
console.log(`ajv_schema_check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
