# Bad specs: nmap-like messages, non-zero exit, no crash.
scan -p 20-10 web
scan -p 70000 web
scan -sS 198.51.100.0/33
scan -sS nosuchhost
scan --min-rate 100 --max-rate 10 web
scan --bogus web
scan -sZ web
scan -T9 web
scan -p
