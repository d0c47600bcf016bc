#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pertime.py - time whole processes side by side (a benchmark helper, not a test).

    pertime.py SPEC ROUNDS WARMUP OUTDIR

SPEC is a tab-separated file:

    cmd  ID  GROUP  TOOL  WHAT  ARGV...      one command (ARGV: the remaining fields; leading
                                             NAME=VALUE fields set its environment, as env(1)
                                             would, without the cost of another exec)
    also GROUP  ID                           show command ID in GROUP's table too (one run)
    le   DESCRIPTION  A  B  FACTOR           target: median(A) <= FACTOR x median(B)
    ge   DESCRIPTION  A  B  FACTOR           target: median(A) >= FACTOR x median(B)

Every round runs every command once, in an order rotated by one each round (interleaved, so
that a slow moment of this shared machine hits every tool alike); WARMUP rounds are run first
and not counted.  Each run: wall time (spawn to reap), the process's CPU time (user + system,
children included) and its peak resident set (ru_maxrss) from wait4().  stdout goes to
/dev/null, stderr to a file (shown for a failed run).  A run that exits non-zero counts as a
failure and is left out of the statistics.

Writes OUTDIR/raw.tsv (every run) and prints, on stdout, a Markdown table per group (median,
p10-p90, IQR, n, and each tool's ratio to the group's first command) and the targets, met or
missed.  Standard library only.
"""
import os
import sys
import time


def quantile(v, q):
    """linear interpolation between closest ranks (numpy's default)"""
    if not v:
        return float("nan")
    s = sorted(v)
    x = (len(s) - 1) * q
    lo = int(x)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (x - lo)


def split_env(argv):
    env = dict(os.environ)
    while argv and "=" in argv[0] and argv[0].split("=", 1)[0].isidentifier():
        k, v = argv[0].split("=", 1)
        env[k] = v
        argv = argv[1:]
    return argv, env


def run_once(argv, errfile):
    argv, env = split_env(argv)
    devnull = os.open(os.devnull, os.O_RDWR)
    err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, err, 2),
    ]
    t0 = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    finally:
        os.close(devnull)
        os.close(err)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc


def ms(x):
    return "%.1f" % (x * 1000.0)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    spec, rounds, warmup, outdir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    cmds, targets, also = [], [], []
    with open(spec) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if fields[0] == "cmd":
                cmds.append({"id": fields[1], "group": fields[2], "tool": fields[3],
                             "what": fields[4], "argv": fields[5:], "wall": [], "cpu": [],
                             "rss": [], "fails": 0, "err": ""})
            elif fields[0] == "also":
                also.append((fields[1], fields[2]))
            elif fields[0] in ("le", "ge"):
                targets.append((fields[0], fields[1], fields[2], fields[3], float(fields[4])))
    os.makedirs(outdir, exist_ok=True)
    errfile = os.path.join(outdir, "stderr")
    raw = open(os.path.join(outdir, "raw.tsv"), "w")
    raw.write("round\tid\twall_s\tcpu_s\tmaxrss_kib\texit\n")
    n = len(cmds)
    for r in range(-warmup, rounds):
        for k in range(n):
            c = cmds[(k + r) % n]
            wall, cpu, rss, rc = run_once(c["argv"], errfile)
            if r < 0:
                continue
            raw.write("%d\t%s\t%.6f\t%.6f\t%d\t%d\n" % (r, c["id"], wall, cpu, rss, rc))
            if rc != 0:
                c["fails"] += 1
                if not c["err"]:
                    with open(errfile, errors="replace") as e:
                        c["err"] = e.read(2000)
                continue
            c["wall"].append(wall)
            c["cpu"].append(cpu)
            c["rss"].append(rss)
        print("round %d of %d done" % (r + 1, rounds), file=sys.stderr) if r >= 0 and (
            r + 1) % 5 == 0 else None
    raw.close()
    byid = {c["id"]: c for c in cmds}
    # a tool left out (not installed, not asked for) takes its rows and targets with it
    also = [(g, i) for g, i in also if i in byid]
    targets = [t for t in targets if t[2] in byid and t[3] in byid]
    med = {c["id"]: quantile(c["wall"], 0.5) for c in cmds}
    groups = []
    for g in [c["group"] for c in cmds] + [g for g, _ in also]:
        if g not in groups:
            groups.append(g)
    for g in groups:
        members = [c for c in cmds if c["group"] == g]
        members[len(members):] = [byid[i] for gg, i in also if gg == g]
        # rows in a fixed tool order; the reference (first row) is hostfish when present
        order = ["hostfish", "curl", "redfishtool", "ilorest"]
        members.sort(key=lambda c: (next((i for i, t in enumerate(order)
                                          if c["tool"].startswith(t)), len(order)),
                                    c["tool"] not in order))
        ref = members[0]
        print()
        print("**%s**" % g)
        print()
        print("| tool | what one run does | wall median (ms) | p10-p90 (ms) | IQR (ms) "
              "| CPU median (ms) | max RSS (MiB) | n | wall / %s |" % ref["tool"])
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in members:
            w = c["wall"]
            if not w:
                print("| %s | %s | failed | | | | | 0 (%d failed) | |" %
                      (c["tool"], c["what"], c["fails"]))
                continue
            ratio = med[c["id"]] / med[ref["id"]] if ref["wall"] else float("nan")
            print("| %s | %s | %s | %s-%s | %s | %s | %.1f | %d%s | %.2f |" % (
                c["tool"], c["what"], ms(med[c["id"]]), ms(quantile(w, 0.1)),
                ms(quantile(w, 0.9)), ms(quantile(w, 0.75) - quantile(w, 0.25)),
                ms(quantile(c["cpu"], 0.5)), quantile(c["rss"], 0.5) / 1024.0, len(w),
                " (%d failed)" % c["fails"] if c["fails"] else "", ratio))
    if targets:
        print()
        print("| target | measured | result |")
        print("|---|---|---|")
        for kind, desc, a, b, factor in targets:
            ma, mb = med[byid[a]["id"]], med[byid[b]["id"]]
            if kind == "le":
                ratio = ma / mb
                ok = ratio <= factor
                meas = "%s / %s = %.2f (medians %s / %s ms)" % (
                    byid[a]["tool"], byid[b]["tool"], ratio, ms(ma), ms(mb))
            else:
                ratio = ma / mb
                ok = ratio >= factor
                meas = "%s / %s = %.1f (medians %s / %s ms)" % (
                    byid[a]["tool"], byid[b]["tool"], ratio, ms(ma), ms(mb))
            print("| %s | %s | **%s** |" % (desc, meas, "met" if ok else "missed"))
    for c in cmds:
        if c["fails"]:
            print("pertime: %s failed %d times; first stderr:\n%s" % (c["id"], c["fails"],
                                                                       c["err"]),
                  file=sys.stderr)


if __name__ == "__main__":
    main()
