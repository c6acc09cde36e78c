#!/usr/bin/env python3
"""Timing helpers for bench/run.sh (standard library only).

  rollout   POST /api/v1/rollouts, poll GET (every 250 ms) until a terminal state, sample the service's RSS;
            the time is from the POST to the rollout's own finishedAt
  floor-gen write one psql script per parallel batch that applies the catalog to f_1..f_N
  floor-run run those scripts as parallel psql sessions and time them
  http-time time GET calls: warm-up, then median / p95
  catalog   the catalog (versions, checksums) as GET /api/v1/migrations reports it, for the fleet seed
  adopt-gen the catalog copied in Flyway's layout, and psql scripts that build a_1..a_N as Flyway would have:
            the migrations applied and flyway_schema_history written as Flyway writes it (its DDL, CRC32 checksums)
  adopt     discover, dry run and adopt (POST /api/v1/companies/adopt "all": true, polled to its end), each timed

Every command prints one JSON object on stdout; run.sh reads it with python3 -c.
"""
import argparse
from datetime import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def http(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if os.environ.get("BENCH_TOKEN"):  # the API wants a bearer JWT since the service has roles
        headers["Authorization"] = "Bearer " + os.environ["BENCH_TOKEN"]
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:  # 4xx/5xx still carry a useful body
        return e.code, e.read()


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """user + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """[user, system] CPU seconds per thread-name group (trailing numbers dropped: "GC Thread#3" -> "GC Thread"),
    from /proc/PID/task: system time on the event loops is socket I/O."""
    groups = {}
    tck = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            comm = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = re.sub(r"[#-]?\d+$", "", comm)
        user, system = groups.get(name, (0, 0))
        groups[name] = (user + int(fields[11]) / tck, system + int(fields[12]) / tck)
    return groups


def machine_ticks():
    """(busy, total) jiffies over all CPUs, from /proc/stat: busy share tells whether a window was CPU-bound."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return sum(v) - idle, sum(v)


def busy_percent(t0, t1):
    return 100.0 * (t1[0] - t0[0]) / max(1, t1[1] - t0[1])


class RssSampler(threading.Thread):
    """Keeps the max VmRSS of a process, sampled every 100 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max_kb, self.stop = pid, rss_kb(pid), threading.Event()

    def run(self):
        while not self.stop.wait(0.1):
            self.max_kb = max(self.max_kb, rss_kb(self.pid))


def cmd_rollout(a):
    base = a.url.rstrip("/")
    idle_kb = rss_kb(a.pid)
    sampler = RssSampler(a.pid)
    sampler.start()
    cpu0, ticks0, threads0 = cpu_seconds(a.pid), machine_ticks(), thread_cpu(a.pid)
    t0 = time.monotonic()
    wall0 = time.time()  # the service stamps finishedAt on the same machine's clock
    strategy = {"maxParallel": a.parallel}
    if a.per_server:
        strategy["maxParallelPerServer"] = a.per_server
    status, body = http("POST", f"{base}/api/v1/rollouts", {"strategy": strategy}, timeout=600)
    post_s = time.monotonic() - t0
    if status != 202:
        sampler.stop.set()
        sys.exit(f"POST /api/v1/rollouts answered {status}: {body[:2000].decode(errors='replace')}")
    rid = json.loads(body)["id"]
    polls, state, last = 0, None, {}
    while True:
        status, body = http("GET", f"{base}/api/v1/rollouts/{rid}")
        polls += 1
        if status == 200:
            last = json.loads(body)
            state = last.get("state")
            if state in ("succeeded", "failed", "cancelled"):
                break
        if time.monotonic() - t0 > a.timeout:
            state = f"timeout (last state {state})"
            break
        time.sleep(a.poll)
    polled = time.monotonic() - t0
    # The run ends when the service says it finished, not when a poll happens to see it: polling finely enough for
    # that would itself load the 2 cores the run is measured on (each GET is a JWT check and a ledger count).
    finished = last.get("finishedAt")
    elapsed = datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp() - wall0 if finished else polled
    cpu1, ticks1, threads1 = cpu_seconds(a.pid), machine_ticks(), thread_cpu(a.pid)
    by_thread = sorted(((k, u - threads0.get(k, (0, 0))[0], s - threads0.get(k, (0, 0))[1])
                        for k, (u, s) in threads1.items()), key=lambda t: -(t[1] + t[2]))
    sampler.stop.set()
    sampler.join()
    print(json.dumps({"id": rid, "state": state, "seconds": elapsed, "polled_seconds": polled, "post_seconds": post_s,
                      "polls": polls,
                      "max_rss_kb": sampler.max_kb, "idle_rss_kb": idle_kb, "service_cpu_seconds": cpu1 - cpu0,
                      "machine_busy_percent": busy_percent(ticks0, ticks1),
                      "service_cpu_by_thread": [[k, round(u + s, 2), round(s, 2)] for k, u, s in by_thread if u + s >= 0.05],
                      "rollout": last}))


# --- the psql floor -------------------------------------------------------------------------------------------
DEFAULT = re.compile(r"^--\s*flotilla:default\s+(\w+)\s*=\s*(\S+)\s*$")
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def header(text):
    """The leading comment block, where Flotilla reads its directives."""
    lines = []
    for line in text.splitlines():
        if line.strip() == "" or line.lstrip().startswith("--"):
            lines.append(line.strip())
        else:
            break
    return lines


def load_catalog(directory):
    """Up migrations in version order: (file, text, transactional, placeholders on, defaults)."""
    files = [p for p in Path(directory).glob("*.sql") if re.match(r"^\d+_.*\.sql$", p.name)]
    files.sort(key=lambda p: int(p.name.split("_", 1)[0]))
    catalog = []
    for p in files:
        text = p.read_text()
        head = header(text)
        defaults = dict(m.groups() for m in map(DEFAULT.match, head) if m)
        catalog.append((p.name, text, "-- flotilla:no-transaction" not in head,
                        "-- flotilla:placeholders off" not in head, defaults))
    return catalog


def render(text, schema_quoted, values):
    def sub(m):
        if m.group(1) == "schema":
            return schema_quoted
        if m.group(1) not in values:
            sys.exit(f"floor: no value for ${{{m.group(1)}}}")
        return values[m.group(1)]
    return PLACEHOLDER.sub(sub, text)


def cmd_floor_gen(a):
    catalog = load_catalog(a.migrations)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("batch_*.sql"):
        old.unlink()
    # Contiguous slices of f_1..f_N, one per psql session, sizes differing by at most one.
    n, p = a.n, a.parallel
    bounds = [(i * n // p + 1, (i + 1) * n // p) for i in range(p)]
    paths = []
    for i, (lo, hi) in enumerate(bounds):
        if lo > hi:
            continue
        path = out / f"batch_{i + 1}.sql"
        with path.open("w") as f:
            for g in range(lo, hi + 1):
                schema = f'"{a.prefix}{g}"'
                f.write(f"SET search_path TO {schema}, public;\n")
                for name, text, transactional, placeholders, defaults in catalog:
                    sql = render(text, schema, defaults) if placeholders else text
                    f.write(f"-- {name}\n")
                    # A no-transaction file goes as its own statements: CREATE INDEX CONCURRENTLY refuses a block.
                    f.write(f"BEGIN;\n{sql.rstrip()}\nCOMMIT;\n" if transactional else f"{sql.rstrip()}\n")
        paths.append(str(path))
    print(json.dumps({"files": paths, "migrations": len(catalog),
                      "non_transactional": [c[0] for c in catalog if not c[2]]}))


def cmd_floor_run(a):
    logs = [open(f + ".log", "w") for f in a.files]
    ticks0 = machine_ticks()
    t0 = time.monotonic()
    procs = [subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", a.db, "-f", f],
                              stdout=subprocess.DEVNULL, stderr=log) for f, log in zip(a.files, logs)]
    codes = [p.wait() for p in procs]
    elapsed = time.monotonic() - t0
    busy = busy_percent(ticks0, machine_ticks())
    for log in logs:
        log.close()
    print(json.dumps({"seconds": elapsed, "exit_codes": codes, "machine_busy_percent": busy}))
    if any(codes):
        sys.exit(f"floor: psql failed, see {a.files[0]}.log and siblings")


# --- fleet adoption ----------------------------------------------------------------------------------------------
def flyway_checksum(text):
    """Flyway's ChecksumCalculator: CRC32 over the lines (no line endings, no BOM), UTF-8, as a signed int."""
    import zlib
    crc = zlib.crc32("".join(text.lstrip("\ufeff").splitlines()).encode("utf-8"))
    return crc - (1 << 32) if crc >= (1 << 31) else crc


FLYWAY_HISTORY = """CREATE TABLE {s}."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE {s}."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON {s}."flyway_schema_history" ("success");
"""


def cmd_adopt_gen(a):
    catalog = load_catalog(a.migrations)
    flyway_dir = Path(a.catalog_out)
    flyway_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for rank, (name, text, transactional, placeholders, defaults) in enumerate(catalog, start=1):
        version, rest = name.split("_", 1)
        script = f"V{int(version)}__{rest}"
        (flyway_dir / script).write_text(text)
        rows.append((rank, str(int(version)), rest[:-4].replace("_", " "), script, flyway_checksum(text)))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("adopt_*.sql"):
        old.unlink()
    n, p = a.n, a.parallel
    bounds = [(i * n // p + 1, (i + 1) * n // p) for i in range(p)]
    paths = []
    for i, (lo, hi) in enumerate(bounds):
        if lo > hi:
            continue
        path = out / f"adopt_{i + 1}.sql"
        with path.open("w") as f:
            for g in range(lo, hi + 1):
                schema = f'"{a.prefix}{g}"'
                f.write(f"CREATE SCHEMA {schema};\nSET search_path TO {schema}, public;\n")
                for name, text, transactional, placeholders, defaults in catalog:
                    sql = render(text, schema, defaults) if placeholders else text
                    f.write(f"BEGIN;\n{sql.rstrip()}\nCOMMIT;\n" if transactional else f"{sql.rstrip()}\n")
                f.write(FLYWAY_HISTORY.format(s=schema))
                values = ",\n".join(f"({r}, '{v}', '{d}', 'SQL', '{sc}', {ck}, 'flyway', now(), 12, true)"
                                     for r, v, d, sc, ck in rows)
                f.write(f'INSERT INTO {schema}."flyway_schema_history" VALUES\n{values};\n')
        paths.append(str(path))
    print(json.dumps({"files": paths, "migrations": len(catalog), "catalog": str(flyway_dir)}))


def cmd_adopt(a):
    base = a.url.rstrip("/")
    out = {}
    t0 = time.monotonic()
    status, body = http("GET", f"{base}/api/v1/servers/home/discover", timeout=600)
    out["discover_seconds"] = time.monotonic() - t0
    if status != 200:
        sys.exit(f"discover answered {status}: {body[:2000].decode(errors='replace')}")
    found = json.loads(body)
    out["discovered"] = len(found)
    out["discovered_dirty"] = sum(1 for d in found if d.get("dirty"))
    t0 = time.monotonic()
    status, body = http("POST", f"{base}/api/v1/companies/adopt",
                        {"all": True, "dryRun": True, "maxParallel": a.parallel}, timeout=1800)
    out["dry_run_seconds"] = time.monotonic() - t0
    if status != 200:
        sys.exit(f"dry run answered {status}: {body[:2000].decode(errors='replace')}")
    dry = json.loads(body)
    out["dry_run"] = {k: dry.get(k) for k in ("total", "adopted", "refused", "alreadyAdopted", "failed", "scratchBuilds")}
    out["dry_run_not_adopted"] = [r for r in dry.get("results", []) if r.get("outcome") != "adopted"][:5]
    t0 = time.monotonic()
    status, body = http("POST", f"{base}/api/v1/companies/adopt", {"all": True, "maxParallel": a.parallel},
                        timeout=600)
    if status != 202:
        sys.exit(f"adopt answered {status}: {body[:2000].decode(errors='replace')}")
    job_id = json.loads(body)["id"]
    polls, job = 0, {}
    while True:
        status, body = http("GET", f"{base}/api/v1/adoptions/{job_id}", timeout=120)
        polls += 1
        if status == 200:
            job = json.loads(body)
            if job.get("state") != "running":
                break
        if time.monotonic() - t0 > a.timeout:
            break
        time.sleep(a.poll)
    polled = time.monotonic() - t0
    finished = job.get("finishedAt")
    started = job.get("startedAt")
    out["adopt_seconds"] = (datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp()
                            - datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp()
                            ) if finished and started else polled
    out["adopt_polled_seconds"] = polled
    out["polls"] = polls
    out["job"] = {k: job.get(k) for k in ("id", "state", "total", "adopted", "refused", "alreadyAdopted", "failed",
                                          "scratchBuilds", "error")}
    out["job_not_adopted"] = [r for r in job.get("results", []) if r.get("outcome") != "adopted"][:5]
    out["total_seconds"] = out["discover_seconds"] + out["dry_run_seconds"] + out["adopt_polled_seconds"]
    print(json.dumps(out))


# --- HTTP latency ---------------------------------------------------------------------------------------------
def cmd_http_time(a):
    def once():
        t = time.monotonic()
        status, body = http("GET", a.url)
        return time.monotonic() - t, status, body
    for _ in range(a.warmup):
        once()
    times, status, body = [], None, b""
    for _ in range(a.n):
        t, status, body = once()
        if status != 200:
            sys.exit(f"GET {a.url} answered {status}: {body[:500]!r}")
        times.append(t * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    parsed = json.loads(body)
    print(json.dumps({"median_ms": statistics.median(times), "p95_ms": p95, "min_ms": times[0],
                      "max_ms": times[-1], "n": len(times),
                      "body": parsed if isinstance(parsed, dict) else {"items": len(parsed)}}))


# --- no-op rollout -----------------------------------------------------------------------------------------------
def cmd_noop(a):
    """Rollouts with nothing to do: from the POST to the first GET that sees succeeded, polled every --poll s."""
    base = a.url.rstrip("/")
    times, posts, polls_all, last = [], [], [], {}
    for i in range(a.warmup + a.runs):
        t0 = time.monotonic()
        status, body = http("POST", f"{base}/api/v1/rollouts", {"strategy": {"maxParallel": a.parallel}}, timeout=600)
        post_s = time.monotonic() - t0
        if status != 202:
            sys.exit(f"POST /api/v1/rollouts answered {status}: {body[:2000].decode(errors='replace')}")
        rid = json.loads(body)["id"]
        polls = 0
        while True:
            status, body = http("GET", f"{base}/api/v1/rollouts/{rid}")
            polls += 1
            if status == 200:
                last = json.loads(body)
                if last.get("state") in ("succeeded", "failed", "cancelled"):
                    break
            if time.monotonic() - t0 > a.timeout:
                sys.exit(f"no-op rollout {rid} not finished after {a.timeout} s: {last}")
            time.sleep(a.poll)
        elapsed = time.monotonic() - t0
        # A fast wrong answer is no result: every company must be counted, as up to date.
        if last.get("state") != "succeeded" or last.get("totalTargets") != a.expect \
                or last.get("targets", {}).get("skipped") != a.expect:
            sys.exit(f"no-op rollout {rid}: expected succeeded with {a.expect} skipped targets, got {json.dumps(last)[:2000]}")
        if i >= a.warmup:
            times.append(elapsed * 1000)
            posts.append(post_s * 1000)
            polls_all.append(polls)
    st = sorted(times)
    p95 = st[min(len(st) - 1, int(round(0.95 * len(st))) - 1)]
    print(json.dumps({"median_ms": statistics.median(st), "p95_ms": p95, "min_ms": st[0], "max_ms": st[-1],
                      "n": len(st), "times_ms": [round(t, 1) for t in times],
                      "post_median_ms": statistics.median(posts), "polls": polls_all,
                      "poll_ms": a.poll * 1000, "last": {k: last.get(k) for k in ("totalTargets", "targets", "steps")}}))


def cmd_catalog(a):
    status, body = http("GET", a.url.rstrip("/") + "/api/v1/migrations")
    if status != 200:
        sys.exit(f"GET /api/v1/migrations answered {status}")
    ms = json.loads(body)
    # PostgreSQL array literals for psql -v
    print(json.dumps({"versions": "{" + ",".join(m["version"] for m in ms) + "}",
                      "checksums": "{" + ",".join(m["checksum"] for m in ms) + "}",
                      "names": "{" + ",".join('"' + m["name"].replace('"', '') + '"' for m in ms) + "}",
                      "scripts": "{" + ",".join(m["script"] for m in ms) + "}",
                      "transactional": "{" + ",".join(str(m["transactional"]).lower() for m in ms) + "}",
                      "count": len(ms)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rollout")
    r.add_argument("--url", required=True)
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--parallel", type=int, required=True)
    r.add_argument("--per-server", type=int, default=None, help="strategy.maxParallelPerServer")
    r.add_argument("--timeout", type=float, default=3600)
    r.add_argument("--poll", type=float, default=0.25, help="seconds between GET polls")
    g = sub.add_parser("floor-gen")
    g.add_argument("--migrations", required=True)
    g.add_argument("--n", type=int, required=True)
    g.add_argument("--parallel", type=int, required=True)
    g.add_argument("--prefix", default="f_")
    g.add_argument("--out", required=True)
    f = sub.add_parser("floor-run")
    f.add_argument("--db", required=True)
    f.add_argument("files", nargs="+")
    h = sub.add_parser("http-time")
    h.add_argument("--url", required=True)
    h.add_argument("--warmup", type=int, default=5)
    h.add_argument("--n", type=int, default=50)
    o = sub.add_parser("noop")
    o.add_argument("--url", required=True)
    o.add_argument("--parallel", type=int, required=True)
    o.add_argument("--expect", type=int, required=True, help="companies the rollout must count as up to date")
    o.add_argument("--runs", type=int, default=7)
    o.add_argument("--warmup", type=int, default=2)
    o.add_argument("--poll", type=float, default=0.01, help="seconds between GET polls")
    o.add_argument("--timeout", type=float, default=120)
    c = sub.add_parser("catalog")
    c.add_argument("--url", required=True)
    ag = sub.add_parser("adopt-gen")
    ag.add_argument("--migrations", required=True)
    ag.add_argument("--catalog-out", required=True, help="where the catalog goes in Flyway's layout")
    ag.add_argument("--n", type=int, required=True)
    ag.add_argument("--parallel", type=int, required=True)
    ag.add_argument("--prefix", default="a_")
    ag.add_argument("--out", required=True)
    ad = sub.add_parser("adopt")
    ad.add_argument("--url", required=True)
    ad.add_argument("--parallel", type=int, required=True)
    ad.add_argument("--timeout", type=float, default=1800)
    ad.add_argument("--poll", type=float, default=0.25, help="seconds between GET polls")
    a = ap.parse_args()
    {"rollout": cmd_rollout, "floor-gen": cmd_floor_gen, "floor-run": cmd_floor_run,
     "http-time": cmd_http_time, "catalog": cmd_catalog, "noop": cmd_noop,
     "adopt-gen": cmd_adopt_gen, "adopt": cmd_adopt}[a.cmd](a)


if __name__ == "__main__":
    main()
