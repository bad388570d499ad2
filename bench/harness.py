"""Load harness: our server against a raw baseline and a peer, under wrk, on one core each.

Prepares (or reuses, keyed by size and seed, under bench/data/) a SQLite database with
`policy-ledger bench-data`, then for each server under test — ours (`app.asgi`), the raw
Starlette + sqlite3 baseline (`bench/raw.py`) and Datasette serving the same file
read-only — starts it with one worker pinned to core 0, drives each operation with
`wrk -t1 -c32` pinned to core 1 over loopback, and records requests/s, p50/p99 latency,
non-2xx responses, server CPU time per request and peak RSS. Each server gets a fresh
copy of the database, so the write operations never change what another server reads.

Writes bench/results/<timestamp>.json and bench/results/latest.md.

    .venv/bin/python bench/harness.py [--predictions 200000] [--seed 1] [--duration 10]
                                      [--database-url postgresql+psycopg://...]
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk" / "requests.lua"
BIN = Path(sys.executable).parent
CONNECTIONS = 32
SAMPLE = 5000  # random ids handed to wrk per operation
CLK_TCK = os.sysconf("SC_CLK_TCK")

READS = ["get", "list_by_analyst", "list_by_actor", "search", "scores", "track_record"]
WRITES = ["annotate", "resolve"]
TITLES = {
    "get": "get a prediction by id",
    "list_by_analyst": "list: by analyst, resolved, newest first (50)",
    "list_by_actor": "list: by actor, resolve_by range (50)",
    "search": "search: one mid-frequency word (20)",
    "scores": "scores grouped by analyst",
    "track_record": "one analyst's track record",
    "annotate": "create an annotation",
    "resolve": "resolve a prediction",
}


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- the database


def run_cli(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "warning"}
    done = subprocess.run([str(BIN / "policy-ledger"), *args], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"policy-ledger {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


LOADER = "policy-ledger bench-data"


def fill(url: str, predictions: int, seed: int) -> None:
    """Migrate and load the data set with `policy-ledger bench-data`."""
    run_cli(url, "migrate")
    log(f"  policy-ledger bench-data --predictions {predictions} --seed {seed}")
    run_cli(url, "bench-data", "--predictions", str(predictions), "--seed", str(seed),
            "--database-url", url)


def prepare_sqlite(predictions: int, seed: int, rebuild: bool) -> Path:
    """The cached database for this size and seed, built when missing."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"ledger-{predictions}-s{seed}.db"
    if path.exists() and not rebuild:
        if (stored := schema_revision(path)) == (head := schema_head()):
            log(f"reusing {path.relative_to(ROOT)}")
            return path
        log(f"{path.relative_to(ROOT)} has schema {stored}, the migrations {head}: rebuilding")
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    tmp = path.with_suffix(".building")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    log(f"building {path.relative_to(ROOT)} ({predictions:,} predictions, seed {seed})")
    start = time.perf_counter()
    fill(f"sqlite:///{tmp}", predictions, seed)
    with sqlite3.connect(tmp) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    log(f"  built in {time.perf_counter() - start:.0f} s")
    return path


def schema_head() -> str:
    """The newest migration's revision."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def schema_revision(path: Path) -> str | None:
    """The revision a database file was migrated to (None if it has none)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def working_copy(source: Path, name: str) -> Path:
    """A fresh copy of the cached database for one server."""
    folder = DATA / "run" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    target = folder / "ledger.db"
    shutil.copyfile(source, target)
    return target


def ensure_postgres_database(url: str) -> None:
    """Create the database when the server has none of that name."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": target.database}).first()
        if not exists:
            log(f"  creating database {target.database}")
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def prepare_postgres(url: str, predictions: int, seed: int) -> None:
    """Empty the PostgreSQL database and load the same data set."""
    log(f"loading PostgreSQL ({predictions:,} predictions, seed {seed})")
    ensure_postgres_database(url)
    run_cli(url, "migrate", "--down", "--revision", "base")
    fill(url, predictions, seed)


# ---------------------------------------------------------------- what to request


@dataclass
class Inputs:
    """Ids and values read from the database, for wrk to choose from."""

    predictions: list[int]
    open_predictions: list[int]
    analysts: list[int]
    actors: list[tuple[int, str, str]]  # actor, resolve_by after, resolve_by before
    word: str
    word_docs: int
    counts: dict[str, int] = field(default_factory=dict)


def read_inputs(url: str, seed: int, word: str | None = None) -> Inputs:
    """Sample ids from the database (SQLite or PostgreSQL)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    rng = random.Random(seed)
    engine = create_engine(url)
    with engine.connect() as conn:
        def ids(sql: str) -> list[int]:
            return [r[0] for r in conn.execute(text(sql))]

        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("prediction", "analyst", "annotation", "resolution", "actor",
                            "report", "search_document")}
        predictions = ids("SELECT id FROM prediction")
        open_ = ids("SELECT id FROM prediction WHERE outcome IS NULL AND (condition_status IS "
                    "NULL OR condition_status <> 'not_met')")
        analysts = ids("SELECT analyst_id FROM prediction WHERE outcome IS NOT NULL "
                       "GROUP BY analyst_id HAVING count(*) >= 5")
        actor_years = conn.execute(text(
            "SELECT pa.actor_id, min(p.resolve_by), max(p.resolve_by) FROM prediction_actor pa "
            "JOIN prediction p ON p.id = pa.prediction_id WHERE p.resolve_by IS NOT NULL "
            "GROUP BY pa.actor_id HAVING count(*) >= 50")).all()
        if word is None:
            word, docs = mid_frequency_word(conn, counts["search_document"])
        else:
            docs = 0
    engine.dispose()
    actors = []
    for actor, low, high in actor_years:
        years = list(range(int(str(low)[:4]), int(str(high)[:4]) + 1))
        for _ in range(20):
            y = rng.choice(years)
            actors.append((actor, f"{y}-01-01", f"{y + 1}-12-31"))
    rng.shuffle(open_)
    return Inputs(predictions=rng.sample(predictions, min(SAMPLE, len(predictions))),
                  open_predictions=open_, analysts=analysts, actors=actors, word=word,
                  word_docs=docs, counts=counts)


def mid_frequency_word(conn: Any, documents: int) -> tuple[str, int]:
    """A word found in about 1 % of the indexed records (SQLite's FTS5 vocabulary)."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return "railway", 0
    conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab "
                      "USING fts5vocab(main, search_document, 'row')"))
    rows = conn.execute(text("SELECT term, doc FROM temp.bench_vocab WHERE length(term) >= 5 "
                             "AND term NOT GLOB '*[0-9]*'")).all()
    target = max(documents // 100, 1)
    term, docs = min(rows, key=lambda r: (abs(r[1] - target), r[0]))
    return str(term), int(docs)


def request_lines(server: str, op: str, inp: Inputs) -> tuple[list[str], str]:
    """The request lines for one operation on one server, and wrk's mode."""
    rng = random.Random(f"{server}-{op}")
    pick = [rng.choice(inp.predictions) for _ in range(SAMPLE)]
    analysts = [rng.choice(inp.analysts) for _ in range(SAMPLE)]
    actors = [rng.choice(inp.actors) for _ in range(SAMPLE)] if inp.actors else []
    word = quote(inp.word)
    where_resolved = quote("(condition_status IS NULL OR condition_status != 'not_met')")
    if server == "ours":
        table = {
            "get": [f"/v1/predictions/{p}" for p in pick],
            "list_by_analyst": [f"/v1/predictions?analyst={a}&status=resolved&sort=-id&limit=50"
                                for a in analysts],
            "list_by_actor": [f"/v1/predictions?actor={a}&resolve_by_after={lo}"
                              f"&resolve_by_before={hi}&limit=50" for a, lo, hi in actors],
            "search": [f"/v1/search?q={word}&limit=20"],
            "scores": ["/v1/scores?group_by=analyst"],
            "track_record": [f"/v1/analysts/{a}/track-record" for a in analysts],
            "annotate": ["/v1/annotations\t" + json.dumps(
                {"target": {"type": "prediction", "id": p},
                 "body": f"Benchmark note {i} on prediction {p}."})
                for i, p in enumerate(pick)],
            "resolve": [f"/v1/predictions/{p}/resolutions\t" + json.dumps(
                {"outcome": "true" if p % 2 else "false", "outcome_known_on": "2026-01-01",
                 "rationale": "Benchmark resolution."}) for p in inp.open_predictions],
        }
    elif server == "raw":
        table = {
            "get": [f"/predictions/{p}" for p in pick],
            "list_by_analyst": [f"/predictions/by-analyst?analyst={a}" for a in analysts],
            "list_by_actor": [f"/predictions/by-actor?actor={a}&after={lo}&before={hi}"
                              for a, lo, hi in actors],
            "search": [f"/search?q={word}"],
            "scores": ["/scores/analyst"],
            "track_record": [f"/analysts/{a}/track-record" for a in analysts],
            "annotate": ["/annotations\t" + json.dumps(
                {"target_id": p, "body": f"Benchmark note {i} on prediction {p}."})
                for i, p in enumerate(pick)],
        }
    else:  # datasette, the file mounted as database "ledger"
        table = {
            "get": [f"/ledger/prediction/{p}.json?_shape=object" for p in pick],
            "list_by_analyst": [
                f"/ledger/prediction.json?analyst_id={a}&outcome__notnull=1"
                f"&outcome__not=annulled&_where={where_resolved}&_sort_desc=id&_size=50"
                "&_shape=array&_nocount=1&_nofacet=1&_nosuggest=1" for a in analysts],
            "list_by_actor": [f"/ledger/by_actor.json?actor={a}&after={lo}&before={hi}"
                              "&_shape=array" for a, lo, hi in actors],
            "search": [f"/ledger/search_top20.json?q={word}&_shape=array"],
            "scores": ["/ledger/scores_by_analyst.json?_shape=array"],
            "track_record": [f"/ledger/track_record.json?analyst={a}&_shape=array"
                             for a in analysts],
        }
    lines = table.get(op)
    if lines is None:
        return [], "random"
    return lines, "walk" if op == "resolve" else "random"


def datasette_metadata() -> dict[str, Any]:
    """Canned queries: the raw baseline's SQL, so the peer answers the same questions."""
    sys.path.insert(0, str(ROOT))
    from bench import raw

    def named(sql: str, *names: str) -> str:
        for name in names:
            sql = sql.replace("?", f":{name}", 1)
        return sql

    track = (f"SELECT 'bin' AS part, b.* FROM ({named(raw.SQL['track_bins'], 'analyst')}) b")
    return {"databases": {"ledger": {"queries": {
        "search_top20": {"sql": named(raw.SQL["search"], "q", "q").replace("LIMIT 21",
                                                                             "LIMIT 20")},
        "scores_by_analyst": {"sql": raw.SQL["scores"]},
        "track_record": {"sql": track},
        "by_actor": {"sql": named(raw.SQL["by_actor"], "actor", "after", "before")
                     .replace("LIMIT 51", "LIMIT 50")},
    }}}}


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(core: int) -> list[str]:
    return ["taskset", "-c", str(core)] if shutil.which("taskset") else []


class Server:
    """One server process in its own process group, pinned to core 0."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], health: str,
                 log_path: Path) -> None:
        self.name, self.port = name, free_port()
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log = log_path.open("w")
        self.proc = subprocess.Popen([*pinned(0), *argv], env={**os.environ, **env},
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                self.stop()
                sys.exit(f"{name} server exited at start; see {log_path}")
            try:
                with urllib.request.urlopen(self.base + health, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                sys.exit(f"{name} server did not answer {health} in 120 s; see {log_path}")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime

    def wait_idle(self, limit: float = 120) -> None:
        """Wait until the server has drained what an earlier run left queued (when wrk
        stops, the requests it had in flight still run): its CPU time stops growing."""
        deadline = time.monotonic() + limit
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now - last < 0.25 * 0.1:  # under 10 % of a core
                return
            last = now

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB."""
        values = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line[:5]] = int(line.split()[1]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def check(self, path: str, method: str = "GET", body: str | None = None,
              auth: str | None = None) -> tuple[int, str]:
        """One request, for a sanity check before the load."""
        headers = {"Content-Type": "application/json"} if body else {}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        req = urllib.request.Request(self.base + path, data=body.encode() if body else None,
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.read(300).decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(300).decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def uvicorn_argv(target: str, loop: str = "uvloop") -> list[str]:
    return [str(BIN / "python"), "-m", "uvicorn", target, "--host", "127.0.0.1", "--port",
            "{port}", "--workers", "1", "--loop", loop, "--http", "httptools",
            "--no-access-log", "--log-level", "warning"]


def start_ours(url: str, logs: Path, label: str) -> Server:
    """Our server as `policy-ledger serve` runs it: the standard library's event loop."""
    env = {"DATABASE_URL": url, "LOG_LEVEL": "warning", "RATE_LIMIT_PER_MINUTE": "0"}
    return Server(label, uvicorn_argv("app.asgi:app", loop="asyncio"), env, "/readyz",
                  logs / f"{label}.log")


def start_raw(path: Path, logs: Path) -> Server:
    return Server("raw", uvicorn_argv("bench.raw:app"), {"BENCH_DB": str(path)}, "/health",
                  logs / "raw.log")


def start_datasette(path: Path, logs: Path) -> Server:
    meta = path.parent / "metadata.json"
    meta.write_text(json.dumps(datasette_metadata(), indent=2))
    argv = [str(BIN / "datasette"), "serve", "--immutable", str(path), "--metadata", str(meta),
            "--host", "127.0.0.1", "--port", "{port}",
            "--setting", "sql_time_limit_ms", "30000",
            "--setting", "max_returned_rows", "5000",
            "--setting", "default_cache_ttl", "0"]
    return Server("datasette", argv, {}, "/-/versions.json", logs / "datasette.log")


# ---------------------------------------------------------------- wrk


def wrk(server: Server, lines: list[str], mode: str, seconds: float, method: str = "GET",
        auth: str | None = None) -> dict[str, Any]:
    """Run wrk against the server; its summary, with the server's CPU time and memory."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        paths = f.name
    env = {**os.environ, "WRK_PATHS": paths, "WRK_MODE": mode, "WRK_METHOD": method,
           "WRK_AUTH": auth or ""}
    argv = [*pinned(1), "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
            "--timeout", "30s", "--latency", "-s", str(LUA), server.base]
    server.wait_idle()
    cpu_before = server.cpu_seconds()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    peak_rss = 0.0
    while proc.poll() is None:
        peak_rss = max(peak_rss, server.memory_mb()[0])
        time.sleep(0.1)
    output = proc.stdout.read() if proc.stdout else ""
    cpu = server.cpu_seconds() - cpu_before
    os.unlink(paths)
    found = re.search(r"^WRKJSON (.*)$", output, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    out: dict[str, Any] = json.loads(found.group(1))
    seconds_run = out["duration_us"] / 1e6
    errors = sum(out["errors"][k] for k in ("connect", "read", "write", "timeout"))
    out.update(
        rps=out["requests"] / seconds_run if seconds_run else 0.0,
        p50_ms=out["latency_us"]["p50"] / 1000, p99_ms=out["latency_us"]["p99"] / 1000,
        socket_errors=errors, cpu_s=cpu,
        cpu_ms_per_request=1000 * cpu / out["requests"] if out["requests"] else None,
        rss_mb=peak_rss, hwm_mb=server.memory_mb()[1],
        exhausted=mode == "walk" and out["walked"] > out["lines"],
    )
    return out


def run_server(server: Server, ops: list[str], inp: Inputs, args: argparse.Namespace,
               keys: dict[str, str] | None = None) -> dict[str, Any]:
    """Every operation the server offers, reads first; a result (or a skip) per operation."""
    results: dict[str, Any] = {}
    keys = keys or {}
    kind = "ours" if server.name.startswith("ours") else server.name
    for op in ops:
        lines, mode = request_lines(kind, op, inp)
        if not lines:
            results[op] = None
            continue
        method = "POST" if op in WRITES else "GET"
        auth = keys.get("analyst" if op == "annotate" else "editor") if op in WRITES else None
        path, _, body = lines[0].partition("\t")
        status, text = server.check(path, method, body or None, auth)
        if op == "resolve":  # the sanity check used the first open prediction: skip it
            lines = lines[1:]
        if not 200 <= status < 300:
            log(f"  {server.name} {op}: first request got {status}: {text[:200]}")
        if args.warmup and op in READS:
            wrk(server, lines, mode, args.warmup, method, auth)
        r = wrk(server, lines, mode, args.duration, method, auth)
        results[op] = r
        flag = f"  NON-2XX {r['non2xx']} (last {r['last_bad_status']})" if r["non2xx"] else ""
        flag += f"  SOCKET ERRORS {r['socket_errors']}" if r["socket_errors"] else ""
        flag += "  (ran out of open predictions)" if r["exhausted"] else ""
        log(f"  {server.name:<16} {op:<16} {r['rps']:>9.0f} req/s  p50 {r['p50_ms']:>7.1f} ms"
            f"  p99 {r['p99_ms']:>7.1f} ms  cpu {r['cpu_ms_per_request'] or 0:>6.2f} ms/req"
            f"  rss {r['rss_mb']:>5.0f} MB{flag}")
    return results


def create_keys(url: str) -> dict[str, str]:
    return {role: run_cli(url, "keys", "create", "--name", f"bench-{role}", "--role",
                          role).strip().splitlines()[-1]
            for role in ("analyst", "editor")}


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    os_name = platform.platform()
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    datasette = subprocess.run([str(BIN / "datasette"), "--version"], capture_output=True,
                               text=True, check=False)
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "os": os_name, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "load_average": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
            "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip(),
            "datasette": datasette.stdout.strip().split()[-1] if datasette.stdout else "absent"}


def check_targets(res: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """(target, passed or None when not measured, the figures behind it)."""
    ours, raw, peer = res["ours"], res["raw"], res["datasette"]
    out: list[tuple[str, bool | None, str]] = []

    def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
        return a["rps"] / b["rps"] if a and b and b["rps"] else None

    def at_least(label: str, op: str, base: dict[str, Any], base_op: str, factor: float,
                 name: str) -> None:
        r = ratio(ours.get(op), base.get(base_op))
        out.append((f"{label} ≥ {factor:g}× {name}", None if r is None else r >= factor,
                    "n/a" if r is None else f"{r:.2f}×"))

    for op in ("get", "list_by_analyst", "list_by_actor"):
        at_least(TITLES[op], op, raw, op, 0.4, "raw")
        at_least(TITLES[op], op, peer, op, 3, "datasette")
    at_least(TITLES["search"], "search", raw, "search", 0.8, "raw")
    at_least(TITLES["search"], "search", peer, "search", 1.5, "datasette")
    s, rs = ours.get("search"), raw.get("search")
    out.append(("search p99 ≤ raw's p99", None if not (s and rs) else s["p99_ms"] <= rs["p99_ms"],
                f"{s['p99_ms']:.1f} vs {rs['p99_ms']:.1f} ms" if s and rs else "n/a"))
    at_least("scores by analyst", "scores", raw, "scores", 10, "raw's full-table GROUP BY")
    for op in WRITES:
        at_least(TITLES[op], op, raw, "annotate", 0.4, "raw single-row INSERT")
    for op in ("get", "list_by_analyst", "list_by_actor", "scores", "track_record", *WRITES):
        r = ours.get(op)
        out.append((f"{TITLES[op]}: p99 < 100 ms", None if not r else r["p99_ms"] < 100,
                    f"{r['p99_ms']:.1f} ms" if r else "n/a"))
    peak = max((r["hwm_mb"] for r in ours.values() if r), default=None)
    out.append(("our server's RSS < 250 MB", None if peak is None else peak < 250,
                f"{peak:.0f} MB" if peak is not None else "n/a"))
    bad = sum(r["non2xx"] + r["socket_errors"] for side in res.values() for r in side.values()
              if r)
    out.append(("no non-2xx responses or socket errors", bad == 0, str(bad)))
    return out


def fmt(r: dict[str, Any] | None, what: str) -> str:
    if not r:
        return "n/a"
    if what == "rps":
        return f"{r['rps']:,.0f}"
    return f"{r[what]:.1f}"


def markdown(report: dict[str, Any]) -> str:
    m, res = report["machine"], report["results"]
    pg = "ours_postgresql" in res
    lines = [
        f"# Benchmark: {report['predictions']:,} predictions ({report['started']})",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; {m['os']}",
        f"- Load average when it started: {m.get('load_average', '?')}, when it ended: "
        f"{report.get('load_average_end', '?')} (other work on the machine skews every figure)",
        f"- Python {m['python']}, SQLite {m['sqlite']}, {m['wrk']}, Datasette {m['datasette']}",
        f"- Data: {report['loader']}; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in report["counts"].items()),
        f"- Load: wrk -t1 -c{CONNECTIONS} -d{report['duration']}s on core 1; each server one "
        "worker on core 0; loopback; search word "
        f"`{report['word']}` (in {report['word_docs']:,} indexed records)",
        "",
        "Requests/s, and p50 / p99 latency in ms. CPU is the server's CPU time per request; "
        "non-2xx counts every response of ours outside 2xx.",
        "",
    ]
    head = ("| operation | ours req/s | ours p50 | ours p99 | CPU ms/req | non-2xx | raw req/s "
            "| raw p99 | datasette req/s | datasette p99 | ours÷raw | ours÷datasette |")
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if pg:
        head += " PostgreSQL req/s | PostgreSQL p99 |"
        rule += "---:|---:|"
    lines += [head, rule]
    for op in READS + WRITES:
        o, r, d = res["ours"].get(op), res["raw"].get(op), res["datasette"].get(op)
        base = r if op != "resolve" else res["raw"].get("annotate")
        row = [TITLES[op], fmt(o, "rps"), fmt(o, "p50_ms"), fmt(o, "p99_ms"),
               f"{o['cpu_ms_per_request']:.2f}" if o and o["cpu_ms_per_request"] else "n/a",
               str(o["non2xx"]) if o else "n/a",
               fmt(base, "rps") + (" (insert)" if op == "resolve" and base else ""),
               fmt(base, "p99_ms"), fmt(d, "rps"), fmt(d, "p99_ms"),
               f"{o['rps'] / base['rps']:.2f}" if o and base and base["rps"] else "n/a",
               f"{o['rps'] / d['rps']:.2f}" if o and d and d["rps"] else "n/a"]
        if pg:
            p = res["ours_postgresql"].get(op)
            row += [fmt(p, "rps"), fmt(p, "p99_ms")]
        lines.append("| " + " | ".join(row) + " |")
    peak = {side: max((r["hwm_mb"] for r in v.values() if r), default=0)
            for side, v in res.items()}
    lines += ["", "Peak RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in peak.items()), "",
              "## Targets", "", "| target | result | figure |", "|---|---|---|"]
    for label, passed, figure in report["targets"]:
        verdict = "n/a" if passed is None else ("pass" if passed else "**FAIL**")
        lines.append(f"| {label} | {verdict} | {figure} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds per operation")
    parser.add_argument("--warmup", type=float, default=2,
                        help="seconds of unrecorded load before each read (0: none)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="also run our server against this PostgreSQL database "
                        "(emptied and refilled)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--keep", action="store_true",
                        help="keep the servers' database copies and logs under bench/data/run")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="folder for <timestamp>.json and latest.md (default bench/results)")
    parser.add_argument("--only", choices=["ours", "raw", "datasette"], action="append",
                        help="run only these servers (repeatable)")
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("sqlite"):
        args.database_url = None  # SQLite is always measured; the flag adds PostgreSQL
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu), "
                 "or `make bench` as root, which installs it")
    if not shutil.which("taskset"):
        log("taskset not found: servers and wrk run unpinned")
    if not (BIN / "datasette").exists():
        sys.exit("datasette is missing: pip install -e '.[bench]' (make bench does)")
    started = datetime.now(UTC)
    host = machine()
    wall = time.perf_counter()
    source = prepare_sqlite(args.predictions, args.seed, args.rebuild)
    inp = read_inputs(f"sqlite:///{source}", args.seed)
    log(f"search word {inp.word!r} ({inp.word_docs:,} records); "
        f"{len(inp.open_predictions):,} open predictions to resolve")
    logs = DATA / "run" / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    servers = args.only or ["ours", "raw", "datasette"]
    results: dict[str, dict[str, Any]] = {"ours": {}, "raw": {}, "datasette": {}}
    for name in servers:
        copy = working_copy(source, name)
        url = f"sqlite:///{copy}"
        log(f"{name}: serving {copy.relative_to(ROOT)}")
        keys = create_keys(url) if name == "ours" else None
        server = {"ours": lambda: start_ours(url, logs, "ours"),  # noqa: B023
                  "raw": lambda: start_raw(copy, logs),  # noqa: B023
                  "datasette": lambda: start_datasette(copy, logs)}[name]()  # noqa: B023
        try:
            ops = READS + (WRITES if name != "datasette" else [])
            results[name] = run_server(server, ops, inp, args, keys)
        finally:
            server.stop()
    if args.database_url:
        prepare_postgres(args.database_url, args.predictions, args.seed)
        pg_inputs = read_inputs(args.database_url, args.seed, word=inp.word)
        keys = create_keys(args.database_url)
        server = start_ours(args.database_url, logs, "ours_postgresql")
        try:
            results["ours_postgresql"] = run_server(server, READS + WRITES, pg_inputs, args,
                                                    keys)
        finally:
            server.stop()
    if not args.keep:
        shutil.rmtree(DATA / "run", ignore_errors=True)
    report: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"), "predictions": args.predictions,
        "seed": args.seed, "duration": args.duration, "connections": CONNECTIONS,
        "loader": LOADER, "counts": inp.counts, "word": inp.word, "word_docs": inp.word_docs,
        "machine": host, "results": results,
        "postgresql": bool(args.database_url),
    }
    report["load_average_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    report["targets"] = check_targets(results)
    report["wall_seconds"] = round(time.perf_counter() - wall, 1)
    out: Path = args.results
    out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (out / f"{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (out / "latest.md").write_text(text)
    log("")
    log(text)
    log(f"wrote {out / (stamp + '.json')} and {out / 'latest.md'} "
        f"({report['wall_seconds']:.0f} s)")
    failures = [t for t in report["targets"] if t[1] is False]
    if failures:
        log(f"{len(failures)} target(s) missed")
    bad = [t for t in report["targets"] if t[0].startswith("no non-2xx") and t[1] is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
