// The judge must be able to say no: answers that break the contract in each way it checks are refused, so a run
// where every answer passed means something.
import { Contract } from "./contract.js";

const contract = new Contract();
const getCompany = contract.operation("GET", "/api/v1/companies/{id}");
const getLedger = contract.operation("GET", "/api/v1/ledger");
if (getCompany === undefined || getLedger === undefined) throw new Error("the contract lost getCompany or listLedgerEntries");
const company = {
  id: "5f0c2a4e-8a51-4f7e-9a64-2f1f0c7a9b11", companyName: "Acme", schemaName: "acme", server: "home",
  status: "active", settings: { plan: "test", dims: null }, createdAt: "2026-12-07T10:00:00Z", updatedAt: "2026-12-07T10:00:00Z",
};
const json = "application/json";
const cases: [string, boolean, ReturnType<Contract["judge"]>][] = [
  ["a valid company (a null inside settings is data)", true, contract.judge(getCompany, 200, json, JSON.stringify(company))],
  ["a null field", false, contract.judge(getCompany, 200, json, JSON.stringify({ ...company, deletedAt: null }))],
  ["a missing required field", false, contract.judge(getCompany, 200, json, JSON.stringify({ ...company, server: undefined }))],
  ["an undeclared field", false, contract.judge(getCompany, 200, json, JSON.stringify({ ...company, extra: 1 }))],
  ["a word outside the enum", false, contract.judge(getCompany, 200, json, JSON.stringify({ ...company, status: "sideways" }))],
  ["a date that is not RFC 3339", false, contract.judge(getCompany, 200, json, JSON.stringify({ ...company, createdAt: "yesterday" }))],
  ["an undeclared status", false, contract.judge(getCompany, 418, json, "{}")],
  ["an undeclared Content-Type", false, contract.judge(getCompany, 200, "text/plain", JSON.stringify(company))],
  ["a problem with an untyped member", false, contract.judge(getCompany, 404, "application/problem+json", JSON.stringify({
    type: "urn:flotilla:problem:company-not-found", title: "Company not found", status: 404, instance: "/x", nonsense: 1,
  }))],
  ["a problem of an unknown type", false, contract.judge(getCompany, 404, "application/problem+json", JSON.stringify({
    type: "urn:flotilla:problem:no-such-code", title: "?", status: 404, instance: "/x",
  }))],
  ["the last ledger page, without nextBefore", true, contract.judge(getLedger, 200, json, JSON.stringify({ items: [] }))],
  ["a ledger page whose nextBefore is null", false, contract.judge(getLedger, 200, json, JSON.stringify({ items: [], nextBefore: null }))],
];
const wrong = cases.filter(([, ok, verdict]) => verdict.ok !== ok);
for (const [what, ok, verdict] of wrong) console.error(`tsclient self-test: ${what} was ${verdict.ok ? "accepted" : "refused"}, should be ${ok ? "accepted" : "refused"} (${verdict.why ?? ""})`);
if (wrong.length > 0) process.exit(1);
console.log(`tsclient: the judge decides all ${cases.length} self-test answers right`);
