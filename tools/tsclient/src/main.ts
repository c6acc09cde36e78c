// A client a TypeScript user would write from openapi.yaml (types by openapi-typescript, calls by openapi-fetch,
// type-checked under --strict), run against a service: it calls every operation of the contract, and a middleware
// judges every answer, status, Content-Type and body, against the contract (./contract.ts). It fails when an answer
// breaks the contract or when an operation of the contract was not called.
//
// FLOTILLA_URL (default http://localhost:8080); FLOTILLA_TOKEN: an admin token; FLOTILLA_VIEWER_TOKEN: a viewer
// token (optional: the 403 call is skipped without it).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/flotilla.js";
import { Contract } from "./contract.js";

type Company = components["schemas"]["Company"];
type Rollout = components["schemas"]["Rollout"];
type LedgerEntry = components["schemas"]["LedgerEntry"];
type Direction = components["schemas"]["Direction"];

const baseUrl = process.env["FLOTILLA_URL"] ?? "http://localhost:8080";
const token = process.env["FLOTILLA_TOKEN"];
const viewerToken = process.env["FLOTILLA_VIEWER_TOKEN"];
if (!token) {
  console.error("tsclient: set FLOTILLA_TOKEN to an admin token (bin/flotilla token --role admin)");
  process.exit(2);
}

const contract = new Contract();
const called = new Map<string, Set<number>>();
const failures: string[] = [];
let calls = 0;

/** Every answer, whatever the call, judged against what the contract declares for its operation. */
const judge: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    calls++;
    const op = contract.operation(request.method, schemaPath);
    if (op === undefined) {
      failures.push(`${request.method} ${schemaPath}: no such operation in the contract`);
      return undefined;
    }
    const statuses = called.get(op.operationId) ?? new Set<number>();
    statuses.add(response.status);
    called.set(op.operationId, statuses);
    const body = await response.clone().text();
    const verdict = contract.judge(op, response.status, response.headers.get("content-type"), body);
    if (!verdict.ok) {
      failures.push(`${op.operationId} (${request.method} ${new URL(request.url).pathname}) ${response.status}: ${verdict.why}\n    ${body.slice(0, 300)}`);
    }
    return undefined;
  },
};

function client(bearer: string | undefined, headers: Record<string, string> = {}) {
  const c = createClient<paths>({
    baseUrl,
    headers: { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...headers },
  });
  c.use(judge);
  return c;
}

const api = client(token);

/** A call the program needs to go on with: its data, or a stop naming what it got. */
function need<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

function expectStatus(what: string, response: Response, ...statuses: number[]): void {
  if (!statuses.includes(response.status)) {
    failures.push(`${what}: expected ${statuses.join(" or ")}, got ${response.status}`);
  }
}

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ENDED: Rollout["state"][] = ["succeeded", "failed", "cancelled"];
const tag = Date.now().toString(36);

async function run(): Promise<void> {
  // Catalog
  const migrations = need("listMigrations", await api.GET("/api/v1/migrations"));
  const first = migrations[0];
  if (first === undefined) throw new Error("the catalog has no migration");
  const one = need("getMigration", await api.GET("/api/v1/migrations/{version}", { params: { path: { version: first.version } } }));
  if (one.sql === undefined) failures.push("getMigration: no sql on the single-version view");
  expectStatus("getMigration unknown", (await api.GET("/api/v1/migrations/{version}", { params: { path: { version: "99999" } } })).response, 404);
  need("listRepeatables", await api.GET("/api/v1/migrations/repeatables"));
  const lint = need("lintCatalog", await api.GET("/api/v1/lint"));
  console.log(`lint: ok=${lint.ok}, ${lint.violations.length} violations, ${lint.warnings.length} warnings`);

  // Companies
  const schemaName = `tsc_${tag}`;
  const onboarded = need("onboardCompany", await api.POST("/api/v1/companies", {
    body: { companyName: `TS client ${tag}`, schemaName, settings: { plan: "test" } },
  }));
  const id: string = onboarded.id;
  console.log(`onboarded ${onboarded.schemaName}: ${onboarded.appliedVersions.length} versions applied`);
  expectStatus("onboardCompany again", (await api.POST("/api/v1/companies", {
    body: { companyName: `TS client ${tag}`, schemaName },
  })).response, 409);
  const page = need("listCompanies", await api.GET("/api/v1/companies", { params: { query: { status: "active", size: 500 } } }));
  if (!page.items.some((c: Company) => c.id === id)) failures.push("listCompanies: the new company is not listed");
  expectStatus("listCompanies size=0", (await api.GET("/api/v1/companies", { params: { query: { size: 0 } } })).response, 400);
  need("getCompany", await api.GET("/api/v1/companies/{id}", { params: { path: { id } } }));
  expectStatus("getCompany unknown", (await api.GET("/api/v1/companies/{id}", {
    params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
  })).response, 404);
  const patched = need("updateCompany", await api.PATCH("/api/v1/companies/{id}", {
    params: { path: { id } }, body: { settings: { plan: "patched" } },
  }));
  if (patched.settings["plan"] !== "patched") failures.push("updateCompany: settings not changed");
  const versions = need("listCompanyMigrations", await api.GET("/api/v1/companies/{id}/migrations", { params: { path: { id } } }));
  const pending = versions.filter((v) => v.state === "pending").length;
  const migrated = need("migrateCompany", await api.POST("/api/v1/companies/{id}/migrate", { params: { path: { id }, query: { allowDrift: false } } }));
  console.log(`migrate: ${pending} pending before, ${migrated.applied.length} applied, failure ${migrated.failure ? "yes" : "none"}`);
  const verified = need("verifyCompany", await api.GET("/api/v1/companies/{id}/verify", { params: { path: { id } } }));
  console.log(`verify: ok=${verified.ok}`);
  const seeded = await api.POST("/api/v1/companies/{id}/seed", { params: { path: { id } }, body: { force: false } });
  expectStatus("seedCompany", seeded.response, 200, 422);
  const reset = need("resetCompany", await api.POST("/api/v1/companies/{id}/reset", {
    params: { path: { id } }, body: { confirm: schemaName },
  }));
  console.log(`reset: ${reset.droppedVersions.length} dropped, ${reset.applied.length} applied again`);
  expectStatus("resetCompany, wrong confirmation", (await api.POST("/api/v1/companies/{id}/reset", {
    params: { path: { id } }, body: { confirm: "not-it" },
  })).response, 400);

  // Fleet and ledger
  const fleet = need("getFleet", await api.GET("/api/v1/fleet"));
  console.log(`fleet: ${fleet.companies} companies, latest ${fleet.latestVersion ?? "(empty catalog)"}`);
  expectStatus("getFleet unknown server", (await api.GET("/api/v1/fleet", { params: { query: { server: "no-such-server" } } })).response, 400);
  need("listDrift", await api.GET("/api/v1/drift", { params: { query: { limit: 10 } } }));
  // Paging as the types say: nextBefore is absent on the last page, so the loop ends.
  const steps: LedgerEntry[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const ledger = need("listLedgerEntries", await api.GET("/api/v1/ledger", {
      params: { query: { companyId: id, limit: 3, ...(before === undefined ? {} : { before }) } },
    }));
    steps.push(...ledger.items);
    before = ledger.nextBefore;
    if (before === undefined) break;
  }
  if (before !== undefined) failures.push("listLedgerEntries: paging did not end in 50 pages");
  const directions = new Set<Direction>(steps.map((s) => s.direction));
  console.log(`ledger: ${steps.length} steps of the company (${[...directions].join(", ")})`);

  // Monitoring
  need("getConnections", await api.GET("/api/v1/monitoring/connections"));
  need("listTableSizes", await api.GET("/api/v1/monitoring/tables", { params: { query: { companyId: id, size: 10 } } }));
  need("listIndexUsage", await api.GET("/api/v1/monitoring/indexes", { params: { query: { companyId: id, unusedOnly: false } } }));

  // Maintenance
  const jobs = need("listMaintenanceJobs", await api.GET("/api/v1/maintenance/jobs"));
  const job = jobs.find((j) => j.kind === "vacuum-analyze") ?? jobs[0];
  if (job === undefined) throw new Error("no maintenance job");
  const started = need("runMaintenanceJob", await api.POST("/api/v1/maintenance/jobs/{name}/run", {
    params: { path: { name: job.name } }, body: { companyIds: [id] },
  }));
  const finished = await until("the maintenance run", 60, async () => {
    const r = need("getMaintenanceRun", await api.GET("/api/v1/maintenance/runs/{id}", { params: { path: { id: started.id } } }));
    return r.state === "succeeded" || r.state === "failed" ? r : undefined;
  });
  console.log(`maintenance ${job.name}: ${finished.state}, ${finished.succeeded}/${finished.companies} companies`);
  need("listMaintenanceRuns", await api.GET("/api/v1/maintenance/runs", { params: { query: { job: job.name, limit: 5 } } }));
  expectStatus("runMaintenanceJob unknown", (await api.POST("/api/v1/maintenance/jobs/{name}/run", {
    params: { path: { name: "no-such-job" } },
  })).response, 404);

  // Rollouts
  const plan = need("startRollout (dry run)", await api.POST("/api/v1/rollouts", { body: { companyIds: [id], dryRun: true } }));
  if (!("dryRun" in plan)) failures.push("startRollout: a dry run did not answer a plan");
  const accepted = need("startRollout", await api.POST("/api/v1/rollouts", { body: { companyIds: [id], direction: "up" } }));
  if (!("id" in accepted)) throw new Error("startRollout: no rollout in the answer");
  const rolloutId = accepted.id;
  const done = await until("the rollout", 60, async () => {
    const r = need("getRollout", await api.GET("/api/v1/rollouts/{id}", { params: { path: { id: rolloutId } } }));
    return ENDED.includes(r.state) ? r : undefined;
  });
  console.log(`rollout ${done.id}: ${done.state}, targets ${JSON.stringify(done.targets ?? {})}`);
  // One version down and up again, so that rollouts with work (steps per status, per server) are judged too.
  const previous = migrations[migrations.length - 2];
  for (const [direction, targetVersion] of [["down", previous?.version], ["up", undefined]] as const) {
    if (previous === undefined) break;
    const r = need(`startRollout ${direction}`, await api.POST("/api/v1/rollouts", {
      body: { companyIds: [id], direction, ...(targetVersion === undefined ? {} : { targetVersion }) },
    }));
    if (!("id" in r)) throw new Error(`startRollout ${direction}: no rollout in the answer`);
    const ran = await until(`the ${direction} rollout`, 60, async () => {
      const got = need("getRollout", await api.GET("/api/v1/rollouts/{id}", { params: { path: { id: r.id } } }));
      return ENDED.includes(got.state) ? got : undefined;
    });
    console.log(`rollout ${direction}: ${ran.state}, steps ${JSON.stringify(ran.steps ?? {})}, servers ${JSON.stringify(ran.servers ?? {})}`);
    if (ran.state !== "succeeded") failures.push(`the ${direction} rollout ended ${ran.state}`);
  }
  need("listRollouts", await api.GET("/api/v1/rollouts", { params: { query: { limit: 5 } } }));
  // A rollout that has ended can be neither paused, resumed nor cancelled.
  const ended = { params: { path: { id: rolloutId } } };
  expectStatus("pauseRollout of an ended rollout", (await api.POST("/api/v1/rollouts/{id}/pause", ended)).response, 409);
  expectStatus("resumeRollout of an ended rollout", (await api.POST("/api/v1/rollouts/{id}/resume", ended)).response, 409);
  expectStatus("cancelRollout of an ended rollout", (await api.POST("/api/v1/rollouts/{id}/cancel", ended)).response, 409);

  // Servers
  const servers = need("listServers", await api.GET("/api/v1/servers"));
  const home = need("getServer", await api.GET("/api/v1/servers/{name}", { params: { path: { name: "home" } } }));
  console.log(`servers: ${servers.map((s) => `${s.name} (${s.state})`).join(", ")}; home budget ${home.connectionBudget}`);
  need("updateServer", await api.PATCH("/api/v1/servers/{name}", {
    params: { path: { name: "home" } }, body: { connectionBudget: home.connectionBudget },
  }));
  expectStatus("getServer unknown", (await api.GET("/api/v1/servers/{name}", { params: { path: { name: "no-such-server" } } })).response, 404);
  const registered = await api.POST("/api/v1/servers", {
    body: { name: `tsc-${tag}`, host: "127.0.0.1", port: 1, database: "postgres", user: "postgres", connectionBudget: 2, tlsMode: "disable" },
  });
  expectStatus("registerServer on a closed port", registered.response, 422);

  // Webhooks: the URL is a closed port, so deliveries are recorded and retried but reach no one
  const hook = need("createWebhook", await api.POST("/api/v1/webhooks", {
    body: { url: "http://127.0.0.1:9/tsclient", events: ["rollout.failed", "server.unreachable"], secret: `tsc-${tag}` },
  }));
  const hooks = need("listWebhooks", await api.GET("/api/v1/webhooks"));
  if (!hooks.some((h) => h.id === hook.id)) failures.push("listWebhooks: the new subscription is missing");
  const gotHook = need("getWebhook", await api.GET("/api/v1/webhooks/{id}", { params: { path: { id: hook.id } } }));
  if ("secret" in gotHook) failures.push("getWebhook: the secret is shown");
  const deliveries = need("listWebhookDeliveries", await api.GET("/api/v1/webhooks/{id}/deliveries", {
    params: { path: { id: hook.id }, query: { limit: 10 } },
  }));
  console.log(`webhook ${hook.id}: ${hook.events.join(", ")}; ${deliveries.length} deliveries`);
  expectStatus("createWebhook with an ftp URL", (await api.POST("/api/v1/webhooks", {
    body: { url: "ftp://example.com/x", events: ["rollout.failed"], secret: "s" },
  })).response, 400);
  expectStatus("deleteWebhook", (await api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: hook.id } } })).response, 204);
  expectStatus("getWebhook deleted", (await api.GET("/api/v1/webhooks/{id}", { params: { path: { id: hook.id } } })).response, 404);

  // Adoption: no other tool's schemas on this fresh service, so the discovery is empty and a dry run adopts nothing
  const found = need("discoverSchemas", await api.GET("/api/v1/servers/{name}/discover", { params: { path: { name: "home" } } }));
  const dry = need("adoptCompanies", await api.POST("/api/v1/companies/adopt", { body: { server: "home", all: true, dryRun: true } }));
  console.log(`adoption: ${found.length} schemas discovered, dry run: ${dry.adopted} would be adopted, ${dry.refused} refused`);
  expectStatus("getAdoptionJob unknown", (await api.GET("/api/v1/adoptions/{id}", {
    params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
  })).response, 404);

  // Moves: one server only, so a move is refused before anything starts
  const location = need("getCompanyLocation", await api.GET("/api/v1/companies/{id}/location", { params: { path: { id } } }));
  if (location.schema !== schemaName) failures.push(`getCompanyLocation: schema ${location.schema}, not ${schemaName}`);
  expectStatus("moveCompany to its own server", (await api.POST("/api/v1/companies/{id}/move", {
    params: { path: { id } }, body: { server: "home" },
  })).response, 409);
  const moves = need("listMoves", await api.GET("/api/v1/moves", { params: { query: { companyId: id } } }));
  if (moves.length !== 0) failures.push(`listMoves: ${moves.length} moves of a company never moved`);
  expectStatus("getMove unknown", (await api.GET("/api/v1/moves/{id}", {
    params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
  })).response, 404);
  expectStatus("cancelMove unknown", (await api.POST("/api/v1/moves/{id}/cancel", {
    params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
  })).response, 404);

  // Audit: the onboarding above is in it
  const audit = need("listAuditEntries", await api.GET("/api/v1/audit", { params: { query: { action: "onboardCompany", limit: 50 } } }));
  if (!audit.items.some((e) => e.action === "onboardCompany")) failures.push("listAuditEntries: the onboarding is missing");

  // HTTP-level refusals
  expectStatus("no token", (await client(undefined).GET("/api/v1/fleet")).response, 401);
  if (viewerToken) {
    expectStatus("viewer deletes", (await client(viewerToken).DELETE("/api/v1/companies/{id}", { params: { path: { id } } })).response, 403);
  }
  expectStatus("Accept: text/plain", (await client(token, { Accept: "text/plain" }).GET("/api/v1/servers")).response, 406);
  expectStatus("Content-Type: text/plain", (await client(token).PATCH("/api/v1/companies/{id}", {
    params: { path: { id } }, body: { status: "active" }, headers: { "Content-Type": "text/plain" }, bodySerializer: () => "status=active",
  })).response, 415);
  expectStatus("not JSON", (await api.PATCH("/api/v1/companies/{id}", {
    params: { path: { id } }, body: { status: "active" }, bodySerializer: () => "{not json",
  })).response, 400);

  // Last: the soft delete, after which the company still reads, with deletedAt.
  const deleted = need("deleteCompany", await api.DELETE("/api/v1/companies/{id}", { params: { path: { id } } }));
  if (deleted.deletedAt === undefined) failures.push("deleteCompany: no deletedAt");
}

const started = Date.now();
try {
  await run();
} catch (e) {
  failures.push(`stopped: ${(e as Error).message}`);
}
const missed = contract.operations.filter((o) => !called.has(o.operationId));
for (const o of missed) failures.push(`${o.operationId} (${o.method} ${o.path}) was not called: every operation must be`);
console.log(`\n${calls} calls, ${called.size}/${contract.operations.length} operations, ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const [op, statuses] of [...called.entries()].sort()) console.log(`  ${op}: ${[...statuses].sort().join(", ")}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} failures:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("every answer matched the contract");
