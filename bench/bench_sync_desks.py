"""50 desks sync a busy day each, all at once, into one PostgreSQL.

    python bench/bench_sync_desks.py [--desks 50] [--per-agency 2] [--dossiers 120] [--pg ADMIN_URL]
    python bench/bench_sync_desks.py --attack      # issue 7: the same, with and without an attacker

Every desk is its own process (imports done, engine built, then all wait for the same
start instant) with a desk file holding one busy day (`--dossiers` receipts, ~4 events
each, nothing synced yet) and connects as its agency's login role (RLS on). Round 1 is
the busy-day sync: push everything, pull what the other desks of the agency have pushed
so far. Round 2, again all at once, is the catch-up everybody does a minute later.

Reported: events/s through the centre (events pushed / wall time of the round), the
slowest and median sync, and lock waits sampled every 20 ms from pg_locks (waiting lock
requests, by type) and pg_stat_activity (backends in a Lock wait), plus pg_stat_database
deadlocks and commits. The machine has 2 cores shared by the 50 desk processes and the
server, so the numbers are a floor for the centre, not its ceiling.

`--attack` (issue 7) runs the day twice on fresh centres from the same desk files: once
plainly, once while one desk login (the last commune's; its desk 2 is the attacker and
does not sync in either run) holds every lock it can take -- the old numbering advisory
lock of every commune, ACCESS SHARE on every table it may read, its own commune's
numbering row (an uncommitted insert) and desk-registry row, and aborted inserts as other
communes left open, with its idle and statement timeouts switched off. Reported: the
slowest sync of the desks of the other communes in both runs and their ratio, and what
happened to the attacker's own commune's other desk (which shares its login).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_sync_push import _admin, drop_db, drop_role, fresh_db  # noqa: E402

DB = "motcua_bench_desks"


def agency_code(i: int) -> str:
    return f"000.{i // 100:02d}.{i % 100:02d}.H48"


def _make(args: tuple) -> int:
    from bench.sync_gen import make_desk_file
    path, agency, desk, dossiers, seed = args
    return make_desk_file(Path(path), agency, desk, dossiers, seed=seed)


def _barrier(tmp: Path, name: str, me: int) -> float:
    """Say this desk is ready for `name`, then wait for the parent's common start time."""
    (tmp / f"{name}.ready.{me}").touch()
    go = tmp / f"{name}.go"
    while not go.exists():
        time.sleep(0.02)
    start_at = float(go.read_text() or 0)
    time.sleep(max(0.0, start_at - time.time()))
    return start_at


def child(desk_path: str, url: str, agency: str, desk: int, tmp: str, me: int, rounds: int = 2) -> None:
    from core.clock import HybridClock, SystemClock
    from db.engine import make_engine
    from db.meta import last_local_hlc
    from db.sync import SyncEngine
    engine = make_engine(f"sqlite:///{desk_path}")
    clock = SystemClock()
    hlc = HybridClock(clock, f"{agency}/{desk}", last_local_hlc(engine))
    from db.sync import CentralUnavailable
    sync = SyncEngine(engine, url, agency_code=agency, desk_number=desk, hlc=hlc, clock=clock)
    out = []
    for r in range(rounds):
        _barrier(Path(tmp), f"round{r}", me)
        t0 = time.time()
        try:
            report = sync.run_once()
            pushed, pulled, failed = report.pushed, report.pulled, None
        except CentralUnavailable as exc:
            pushed, pulled, failed = 0, 0, exc.message_vi
        out.append({"start": t0, "end": time.time(), "pushed": pushed, "pulled": pulled,
                    "waiting": sync.status().waiting, "failed": failed, "agency": agency, "desk": desk})
    sync.close()
    print(json.dumps(out))


def release(tmp: Path, name: str, n: int, procs: list) -> None:
    while sum(1 for _ in tmp.glob(f"{name}.ready.*")) < n:
        dead = [p for p in procs if p.poll() not in (None, 0)]
        if dead:
            raise RuntimeError(f"a desk process failed: {dead[0].stderr.read()[-2000:]}")
        time.sleep(0.05)
    (tmp / f"{name}.go.tmp").write_text(str(time.time() + 0.5))
    (tmp / f"{name}.go.tmp").rename(tmp / f"{name}.go")


def server_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        if name.startswith("postgres"):
            fields = text[text.rindex(")") + 2:].split()
            # utime + stime, + cutime + cstime: the postmaster collects its exited
            # backends' CPU there (a sync's backend ends with its connection).
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, int, dict]] = []

    def run(self) -> None:
        with _admin(self.url) as conn:
            while not self.stop.is_set():
                by_type = dict(conn.execute(
                    "SELECT locktype, count(*) FROM pg_locks WHERE NOT granted GROUP BY 1").fetchall())
                lock_waits = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchone()[0]
                active = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'motcua-sync/%%' "
                    "AND state = 'active'").fetchone()[0]
                self.samples.append((time.time(), lock_waits, active, by_type))
                time.sleep(0.02)


def stats_db(url: str) -> dict:
    with _admin(url) as conn:
        row = conn.execute("SELECT xact_commit, xact_rollback, deadlocks, tup_inserted FROM pg_stat_database "
                           "WHERE datname = current_database()").fetchone()
    return dict(zip(("commits", "rollbacks", "deadlocks", "inserted"), row))


def summarize(name: str, results: list[dict], samples: list) -> None:
    t0 = min(r["start"] for r in results)
    t1 = max(r["end"] for r in results)
    durations = sorted(r["end"] - r["start"] for r in results)
    pushed = sum(r["pushed"] for r in results)
    pulled = sum(r["pulled"] for r in results)
    window = [s for s in samples if t0 <= s[0] <= t1]
    waits = [s[1] for s in window]
    kinds: dict[str, int] = {}
    for s in window:
        for k, v in s[3].items():
            kinds[k] = max(kinds.get(k, 0), v)
    print(f"{name}: {len(results)} desks, wall {t1 - t0:.2f} s")
    print(f"  pushed {pushed:,} events -> {pushed / (t1 - t0):,.0f} events/s through the centre; "
          f"pulled {pulled:,} (other desks' events)")
    print(f"  sync time: slowest {durations[-1]:.2f} s, median {statistics.median(durations):.2f} s, "
          f"fastest {durations[0]:.2f} s")
    if window:
        busy = sum(1 for w in waits if w)
        print(f"  lock waits (pg_stat_activity, {len(window)} samples): max {max(waits)} backends at once, "
              f"mean {statistics.mean(waits):.2f}, in {100 * busy / len(window):.0f}% of samples; "
              f"max concurrently active syncs {max(s[2] for s in window)}")
        print(f"  waiting lock requests by type (max at once): {kinds or 'none'}")


class Attacker:
    """One desk login holding every lock it can take (issue 7), on connections left open."""

    def __init__(self, url: str, own: str, others: list[str]):
        self.url, self.own, self.others = url, own, others
        self.conns: list = []

    def _conn(self):
        import psycopg
        conn = psycopg.connect(self.url)           # not autocommit: every statement stays in its transaction
        conn.execute("SET idle_in_transaction_session_timeout = 0")
        conn.execute("SET statement_timeout = 0")
        self.conns.append(conn)
        return conn

    def start(self) -> list[str]:
        import psycopg
        from core.ids import new_id
        held = []
        conn = self._conn()
        for a in [self.own, *self.others]:
            conn.execute("SELECT pg_advisory_lock(731011, hashtext(%s))", (a,))
        held.append(f"old numbering advisory lock of {1 + len(self.others)} communes")
        for table in ("event", "account", "desk", "agency", "procedure_version", "holiday_override", "meta",
                      "alembic_version"):
            conn.execute(f"LOCK TABLE {table} IN ACCESS SHARE MODE")
        held.append("ACCESS SHARE on every readable table")
        ev = ("INSERT INTO event (id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, payload) "
              "VALUES (%s, %s, %s, 2, 'c', '000000000000001.00000.x', now(), 'note', '{}')")
        conn.execute(ev, (new_id(), new_id(), self.own))
        held.append("its own commune's numbering row (uncommitted insert)")
        conn.execute("SELECT motcua_register_desk(%s, 2, 'attacker')", (self.own,))
        held.append("its own desk-registry row")
        refused = 0
        for a in self.others[:8]:
            c = self._conn()
            try:
                c.execute(ev, (new_id(), new_id(), a))
            except psycopg.Error:
                refused += 1                        # left open, aborted
        held.append(f"{refused} aborted inserts as other communes, left open")
        return held

    def stop(self) -> None:
        for c in self.conns:
            c.close()


def phase(args, tmp: Path, pristine: Path, desks: list, counts: list, roles: dict, attack: bool) -> dict:
    """One busy day for every desk but the attacker's slot, on a fresh centre."""
    from db.sync.central import init_central
    agencies = sorted({a for a, _ in desks})
    attacker_slot = len(desks) - 1              # excluded from syncing in both runs
    run_dir = Path(tempfile.mkdtemp(prefix="phase-", dir=tmp))
    syncing = [i for i in range(len(desks)) if i != attacker_slot]
    for i in syncing:
        shutil.copy(pristine / f"desk{i}.sqlite", run_dir / f"desk{i}.sqlite")
    url = fresh_db(args.pg, DB)
    procs = []
    attacker = None
    try:
        for a in agencies:
            init_central(url, desk_role=roles[a][0], desk_password=roles[a][1], agency_code=a)
        held = []
        if attack:
            own = desks[attacker_slot][0]
            role, pw = roles[own]
            attacker = Attacker(url.replace("postgresql://postgres@", f"postgresql://{role}:{pw}@"), own,
                                [a for a in agencies if a != own])
            held = attacker.start()
        before = stats_db(url)
        sampler = Sampler(url)
        sampler.start()
        for i in syncing:
            a, d = desks[i]
            role, pw = roles[a]
            user = url.replace("postgresql://postgres@", f"postgresql://{role}:{pw}@")
            procs.append(subprocess.Popen(
                [sys.executable, __file__, "--child", str(run_dir / f"desk{i}.sqlite"), user, a, str(d),
                 str(run_dir), str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        cpu = []
        for r in range(2):
            release(run_dir, f"round{r}", len(syncing), procs)
            c0 = server_cpu()
            while sum(1 for _ in run_dir.glob(f"round{r + 1}.ready.*")) < len(syncing) and \
                    any(p.poll() is None for p in procs) and r == 0:
                time.sleep(0.05)
            if r == 1:
                for p in procs:
                    p.wait(timeout=900)
            cpu.append(server_cpu() - c0)
        results = []
        for p in procs:
            out, err = p.communicate(timeout=900)
            if p.returncode != 0:
                raise RuntimeError(err[-2000:])
            results.append(json.loads(out.strip().splitlines()[-1]))
        sampler.stop.set()
        sampler.join()
        after = stats_db(url)
        with _admin(url) as conn:
            central = conn.execute("SELECT count(*), count(DISTINCT id) FROM event").fetchone()
    finally:
        if attacker is not None:
            attacker.stop()
        for p in procs:
            if p.poll() is None:
                p.kill()
        drop_db(args.pg, DB)
    return {"results": results, "samples": sampler.samples, "cpu": cpu, "before": before, "after": after,
            "central": central, "expected": sum(counts[i] for i in syncing), "held": held}


def report_phase(name: str, ph: dict) -> None:
    results = ph["results"]
    summarize(f"{name}, round 1 (busy day, all at once)", [r[0] for r in results], ph["samples"])
    print(f"  PostgreSQL CPU: {ph['cpu'][0]:.1f} s")
    summarize(f"{name}, round 2 (catch-up, all at once)", [r[1] for r in results], ph["samples"])
    after, before = ph["after"], ph["before"]
    print(f"  pg_stat_database: +{after['commits'] - before['commits']} commits, "
          f"+{after['rollbacks'] - before['rollbacks']} rollbacks, +{after['deadlocks'] - before['deadlocks']} deadlocks")


def attack_main(args, tmp: Path, desks: list, counts: list, roles: dict) -> int:
    own = desks[-1][0]
    plain = phase(args, tmp, tmp, desks, counts, roles, attack=False)
    held = phase(args, tmp, tmp, desks, counts, roles, attack=True)
    report_phase("without the attacker", plain)
    print("attacker holds: " + "; ".join(held["held"]))
    report_phase("with the attacker", held)

    def slowest(ph, mine: bool) -> float:
        return max(r[0]["end"] - r[0]["start"] for r in ph["results"] if (r[0]["agency"] == own) == mine)
    others = [r for r in held["results"] if r[0]["agency"] != own]
    assert all(r[0]["failed"] is None and r[1]["failed"] is None for r in others), "a desk of another commune failed"
    assert all(r[1]["waiting"] == 0 for r in others)
    base, attacked = slowest(plain, False), slowest(held, False)
    print(f"other communes' {len(others)} desks, slowest busy-day sync: {base:.2f} s without, {attacked:.2f} s with "
          f"the attacker: ratio {attacked / base:.2f} (target <= 2)")
    for r in held["results"]:
        if r[0]["agency"] == own:
            print(f"the attacker's own commune, desk {r[0]['desk']}: busy-day sync "
                  f"{'failed after %.1f s: %s' % (r[0]['end'] - r[0]['start'], r[0]['failed']) if r[0]['failed'] else 'ok in %.2f s' % (r[0]['end'] - r[0]['start'])}")
    return 0 if attacked <= 2 * base else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--desks", type=int, default=50)
    ap.add_argument("--per-agency", type=int, default=2)
    ap.add_argument("--dossiers", type=int, default=120, help="receipts per desk in its busy day")
    ap.add_argument("--pg", default=os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--attack", action="store_true", help="with and without one desk role holding every lock")
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        p, url, agency, desk, tmp, me = args.child
        child(p, url, agency, int(desk), tmp, int(me))
        return 0

    from db.sync.central import init_central
    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-desks-"))
    desks = [(agency_code(i // args.per_agency), i % args.per_agency + 1) for i in range(args.desks)]
    agencies = sorted({a for a, _ in desks})
    roles = {a: (f"motcua_bench_{i}", f"pw-{i}") for i, a in enumerate(agencies)}
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        counts = list(pool.map(_make, [(str(tmp / f"desk{i}.sqlite"), a, d, args.dossiers, i)
                                       for i, (a, d) in enumerate(desks)]))
    print(f"{args.desks} desks of {len(agencies)} agencies, {sum(counts):,} unsent events "
          f"({min(counts)}-{max(counts)} per desk), made in {time.perf_counter() - t:.1f} s")
    if args.attack:
        try:
            return attack_main(args, tmp, desks, counts, roles)
        finally:
            for role, _ in roles.values():
                drop_role(args.pg, role)
            shutil.rmtree(tmp, ignore_errors=True)
    url = fresh_db(args.pg, DB)
    procs = []
    try:
        for a in agencies:
            init_central(url, desk_role=roles[a][0], desk_password=roles[a][1], agency_code=a)
        before = stats_db(url)
        sampler = Sampler(url)
        sampler.start()
        for i, (a, d) in enumerate(desks):
            role, pw = roles[a]
            user = url.replace("postgresql://postgres@", f"postgresql://{role}:{pw}@")
            procs.append(subprocess.Popen(
                [sys.executable, __file__, "--child", str(tmp / f"desk{i}.sqlite"), user, a, str(d),
                 str(tmp), str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        cpu = []
        for r in range(2):
            release(tmp, f"round{r}", len(desks), procs)
            c0 = server_cpu()
            while sum(1 for _ in tmp.glob(f"round{r + 1}.ready.*")) < len(desks) and \
                    any(p.poll() is None for p in procs) and r == 0:
                time.sleep(0.05)
            if r == 1:
                for p in procs:
                    p.wait(timeout=900)
            cpu.append(server_cpu() - c0)
        results = []
        for p in procs:
            out, err = p.communicate(timeout=900)
            if p.returncode != 0:
                raise RuntimeError(err[-2000:])
            results.append(json.loads(out.strip().splitlines()[-1]))
        sampler.stop.set()
        sampler.join()
        after = stats_db(url)
        with _admin(url) as conn:
            central = conn.execute("SELECT count(*), count(DISTINCT id) FROM event").fetchone()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        drop_db(args.pg, DB)
        for role, _ in roles.values():
            drop_role(args.pg, role)
        shutil.rmtree(tmp, ignore_errors=True)
    assert central[0] == central[1] == sum(counts), (central, sum(counts))
    assert all(r[1]["waiting"] == 0 for r in results)
    summarize("round 1 (busy day, all at once)", [r[0] for r in results], sampler.samples)
    print(f"  PostgreSQL CPU: {cpu[0]:.1f} s = {1000 * cpu[0] / sum(counts):.2f} ms per event pushed "
          f"(incl. the pulls of the round)")
    summarize("round 2 (catch-up, all at once)", [r[1] for r in results], sampler.samples)
    print(f"  PostgreSQL CPU: {cpu[1]:.1f} s")
    print(f"pg_stat_database, both rounds: +{after['commits'] - before['commits']} commits, "
          f"+{after['rollbacks'] - before['rollbacks']} rollbacks, +{after['deadlocks'] - before['deadlocks']} deadlocks")
    print(f"centre: {central[0]:,} events, none twice; every desk has 0 waiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
