#!/usr/bin/python3
"""osfp_compare.py NMAP.OUT TCPLAB.OUT — compares two -O reports (normal output, -vv).

Checks that the best match (OS details, else the first aggressive guess) and the Running
line agree, and that every fingerprint test value that does not vary from run to run agrees
(SEQ's SP, GCD, ISR and SCAN are random or per-run and are skipped; SEQ's TS may differ by
one when both are random-offset rates). Prints the differences;
exit 0 when they agree, 1 otherwise."""
import re
import sys


def report(path):
    text = open(path).read()
    best = None
    m = re.search(r'^OS details: (.*)$', text, re.M)
    if m:
        best = m.group(1).split(', ')[0]
    else:
        m = re.search(r'^Aggressive OS guesses: (.*?) \(\d+%\)', text, re.M)
        if m:
            best = m.group(1)
    running = re.search(r'^Running[^:]*: (.*)$', text, re.M)
    fp = ''.join(l[3:] for l in text.splitlines() if l.startswith('OS:'))
    tests = {}
    for name, body in re.findall(r'([A-Z0-9]+)\(([^)]*)\)', fp):
        if name == 'SCAN' or name in tests:
            continue
        tests[name] = dict(kv.split('=', 1) for kv in body.split('%') if '=' in kv)
    return best, running.group(1) if running else None, tests


def close_ts(a, b):
    """Linux offsets each connection's timestamps randomly (4.10+), so the rate nmap
    computes from six SYN-ACKs is noise: TS=20, 21 or 22 seen from run to run of the same
    kernel. What is stable is the class: a value of 0x10 or more (far above any real
    clock's rate) says "random offsets" on both sides."""
    try:
        x, y = int(a, 16), int(b, 16)
    except (TypeError, ValueError):
        return False
    return x >= 0x10 and y >= 0x10


def main():
    a, b = report(sys.argv[1]), report(sys.argv[2])
    bad = []
    print('nmap:   best=%r running=%r' % (a[0], a[1]))
    print('tcplab: best=%r running=%r' % (b[0], b[1]))
    if a[0] != b[0]:
        bad.append('best match differs')
    if (a[1] or '').split(' (')[0] != (b[1] or '').split(' (')[0]:
        bad.append('Running differs')
    skip = {('SEQ', 'SP'), ('SEQ', 'GCD'), ('SEQ', 'ISR')}
    for t in sorted(set(a[2]) | set(b[2])):
        x, y = a[2].get(t, {}), b[2].get(t, {})
        for k in sorted(set(x) | set(y)):
            if (t, k) in skip:
                continue
            if (t, k) == ('SEQ', 'TS') and close_ts(x.get(k), y.get(k)):
                continue
            if x.get(k) != y.get(k):
                bad.append('%s.%s: nmap %s, tcplab %s' % (t, k, x.get(k), y.get(k)))
    for line in bad:
        print('DIFF: ' + line)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
