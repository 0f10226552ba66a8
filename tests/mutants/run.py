#!/usr/bin/env python3
"""tests/mutants/run.py — `make mutants`: mutation testing of the simulator's rules.

Why: a test suite that passes whatever the TCP, filter and generator rules say proves
nothing about them. Each mutant in tests/mutants/mutants.txt changes one thing (a
comparison flipped, a bound shifted by one, a flag test dropped, a rule's action swapped in
sim/tcp_rules.c, a constant changed); the fast unit tests must fail on it ("killed"). A
mutant they pass ("survived") is a rule no test pins down.

How: the tracked sources are copied to a scratch directory; the unit test programs that
exercise sim/ are built there once (without LTO, for speed); then, one mutant at a time, the
file is changed, only what depends on it is rebuilt, the tests run (each bounded in time),
and the file is put back. The repository itself is never touched.

Usage: tests/mutants/run.py [BUILD_JOBS]      (prints killed/survived/total, lists survivors;
exit 0, or 2 when a line of mutants.txt no longer matches its file or the build fails)
       tests/mutants/run.py --check            (only that every ORIGINAL occurs exactly once
in its file, in a second: tests/unit/mutants_fresh.sh, so a refactor that moves a line makes
`make test` fail instead of leaving a mutant that silently never runs)
"""
import os, re, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = ["test_tcp_rst", "test_tcp_conn", "test_tcp_timers", "test_tcp_options",
         "test_tcp_linux", "test_tcp_rules", "test_tcp_edges", "test_host", "test_hostkeys",
         "test_filter", "test_gen", "test_engine", "test_scenario", "test_idle", "test_seq",
         "test_review_sim", "test_trace"]
TEST_TIMEOUT = 30


def read_mutants(path):
    """Records: FILE<TAB>ORIGINAL<TAB>MUTANT<TAB>NOTE; a line not starting a record (no
    'sim/...<TAB>' at its start) continues the one before it, joined by a newline."""
    recs, cur = [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        if re.match(r"sim/\S+\t", line):
            if cur is not None:
                recs.append(cur)
            cur = line
        elif cur is not None:
            cur += "\n" + line
    if cur is not None:
        recs.append(cur)
    out = []
    for r in recs:
        parts = r.split("\t")
        if len(parts) != 4:
            sys.exit("mutants.txt: a record needs 4 tab-separated fields: %r" % r[:80])
        out.append(parts)
    return out


def make(src, jobs, targets):
    # no LTO (faster rebuilds); without it gcc sees format truncations LTO builds do not
    return subprocess.run(["make", "-C", src, "-j%d" % jobs, "BUILD=build-mut", "LTO=",
                           "OPT=-O2 -g -Wno-format-truncation"]
                          + targets, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run_tests(src):
    for t in TESTS:
        exe = os.path.join(src, "build-mut", "tests", t)
        try:
            r = subprocess.run([exe], cwd=src, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=TEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            return t + " (timeout)"
        if r.returncode != 0:
            return t
    return None


def check_fresh(mutants):
    stale = 0
    for path, orig, _mut, note in mutants:
        n = open(os.path.join(ROOT, path), encoding="utf-8").read().count(orig)
        if n != 1:
            print("mutants.txt: STALE: %s: %s (its original found %d times)" % (path, note, n))
            stale += 1
    print("mutants.txt: %d lines, %d stale" % (len(mutants), stale))
    return 1 if stale else 0


def main():
    mutants = read_mutants(os.path.join(ROOT, "tests", "mutants", "mutants.txt"))
    if sys.argv[1:] == ["--check"]:
        return check_fresh(mutants)
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    tmp = tempfile.mkdtemp(prefix="tcplab_mutants.")
    src = os.path.join(tmp, "src")
    try:
        files = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others",
                                "--exclude-standard"], check=True, capture_output=True,
                               text=True).stdout.split("\n")
        for f in files:
            if f and os.path.isfile(os.path.join(ROOT, f)):
                os.makedirs(os.path.join(src, os.path.dirname(f)), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, f), os.path.join(src, f))
        targets = ["build-mut/tests/" + t for t in TESTS]
        t0 = time.time()
        r = make(src, jobs, targets)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode(errors="replace")[-2000:])
            print("mutants: the unmutated build failed")
            return 2
        first = run_tests(src)
        if first:
            print("mutants: %s fails without any mutant: fix that first" % first)
            return 2
        killed, survived, stale, broken = [], [], [], []
        for i, (path, orig, mut, note) in enumerate(mutants, 1):
            full = os.path.join(src, path)
            text = open(full, encoding="utf-8").read()
            if text.count(orig) != 1:
                stale.append("%s: %s (found %d times)" % (path, note, text.count(orig)))
                continue
            open(full, "w", encoding="utf-8").write(text.replace(orig, mut))
            try:
                b = make(src, jobs, targets)
                if b.returncode != 0:
                    broken.append("%s: %s" % (path, note))
                    verdict = "does not build"
                else:
                    by = run_tests(src)
                    if by:
                        killed.append((path, note, by))
                        verdict = "killed by " + by
                    else:
                        survived.append("%s: %s" % (path, note))
                        verdict = "SURVIVED"
            finally:
                open(full, "w", encoding="utf-8").write(text)
            print("mutant %2d/%d %-60s %s" % (i, len(mutants), (path + ": " + note)[:60],
                                              verdict), flush=True)
        make(src, jobs, targets)   # leave the scratch build as the sources are (not needed)
        total = len(killed) + len(survived)
        print("mutants: %d killed, %d survived, %d total (%.0f%% killed) in %.0f s"
              % (len(killed), len(survived), total, 100.0 * len(killed) / max(total, 1),
                 time.time() - t0))
        for s in survived:
            print("  survived: " + s)
        for s in broken:
            print("  does not build (not counted): " + s)
        for s in stale:
            print("  STALE line in mutants.txt: " + s)
        return 2 if stale else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
