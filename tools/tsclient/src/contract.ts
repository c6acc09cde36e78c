// The contract, openapi.yaml, as a judge of answers: every operation by method and path template, and a JSON Schema
// 2020-12 validator (Ajv2020) over its component schemas with every object closed (additionalProperties: false
// where the contract leaves it open or unsaid, Problem included, so that a member the service sends but the contract
// does not type fails), so nulls, missing required fields, unknown words of an enum and undeclared fields all fail.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

export const CONTRACT_PATH = fileURLToPath(new URL("../../../openapi.yaml", import.meta.url));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  responses: JsonObject;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
const BASE = "https://flotilla.invalid/openapi.json";

export function load(): JsonObject {
  return parse(readFileSync(CONTRACT_PATH, "utf8"), { version: "1.2" }) as JsonObject;
}

export function operations(doc: JsonObject): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(doc["paths"] as JsonObject)) {
    for (const [method, op] of Object.entries(item as JsonObject)) {
      if (!METHODS.includes(method)) continue;
      const o = op as JsonObject;
      found.push({ operationId: String(o["operationId"]), method: method.toUpperCase(), path, responses: o["responses"] as JsonObject });
    }
  }
  return found;
}

/**
 * A schema as the judge uses it: additionalProperties false on every object schema that lists properties (where the
 * contract leaves it open or unsaid), and each $ref "#/components/..." made absolute, against the one document Ajv
 * holds.
 */
function judged(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(judged);
  if (schema === null || typeof schema !== "object") return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "examples" || k === "example") out[k] = v; // data, not schemas
    else if (k === "$ref" && typeof v === "string" && v.startsWith("#/")) out[k] = BASE + v;
    else out[k] = judged(v);
  }
  if (out["properties"] !== undefined && (out["additionalProperties"] === undefined || out["additionalProperties"] === true)) {
    out["additionalProperties"] = false;
  }
  return out;
}

export interface Verdict {
  ok: boolean;
  why?: string;
}

export class Contract {
  readonly doc: JsonObject;
  readonly operations: Operation[];
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(doc: JsonObject = load()) {
    this.doc = doc;
    this.operations = operations(doc);
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
    addFormats(this.ajv);
    // OpenAPI's own formats: integers within their range, any number for double.
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat("double", { type: "number", validate: () => true });
    const components = doc["components"] as JsonObject;
    this.ajv.addSchema({ $id: BASE, components: { schemas: judged(components["schemas"] as Json) } } as object);
  }

  operation(method: string, path: string): Operation | undefined {
    return this.operations.find((o) => o.method === method.toUpperCase() && o.path === path);
  }

  /** The response declared for a status, its $ref to components/responses followed. */
  private declared(op: Operation, status: number): JsonObject | undefined {
    let r = op.responses[String(status)] as JsonObject | undefined;
    const ref = r?.["$ref"];
    if (typeof ref === "string") {
      const name = ref.substring(ref.lastIndexOf("/") + 1);
      r = ((this.doc["components"] as JsonObject)["responses"] as JsonObject)[name] as JsonObject;
    }
    return r;
  }

  /** Whether an answer (status, Content-Type, raw body) is one the contract declares for the operation. */
  judge(op: Operation, status: number, contentType: string | null, body: string): Verdict {
    const response = this.declared(op, status);
    if (response === undefined) {
      return { ok: false, why: `status ${status} is not declared (declared: ${Object.keys(op.responses).join(", ")})` };
    }
    const content = response["content"] as JsonObject | undefined;
    if (content === undefined) {
      return body.length === 0 ? { ok: true } : { ok: false, why: `status ${status} declares no body, got ${body.length} bytes` };
    }
    const media = (contentType ?? "").split(";")[0]!.trim();
    const declaredMedia = content[media] as JsonObject | undefined;
    if (declaredMedia === undefined) {
      return { ok: false, why: `Content-Type ${media || "(none)"} is not declared for ${status} (declared: ${Object.keys(content).join(", ")})` };
    }
    const schema = declaredMedia["schema"];
    if (schema === undefined) return { ok: true };
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return { ok: false, why: `body is not JSON: ${(e as Error).message}` };
    }
    const key = `${op.operationId} ${status} ${media}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(judged(schema) as object);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return { ok: true };
    const errors = (validate.errors ?? []).slice(0, 5)
      .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${e.params ? JSON.stringify(e.params) : ""}`);
    return { ok: false, why: `body does not match the ${status} schema: ${errors.join("; ")}` };
  }
}
