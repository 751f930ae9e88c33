#!/usr/bin/env bash
# Run a command and sample, every 3 s, the memory of it and of every process it starts
# (VmHWM, RssAnon, RssFile from /proc/PID/status), then print each process's peaks.
# RssFile separates file-backed pages (e.g. index segments tantivy maps while merging) from
# anonymous memory.  Usage: bench/rss_sampler.sh OUT.txt COMMAND [ARGS…]
set -euo pipefail
out="$1"; shift
"$@" &
root=$!
: > "$out"
tree() { local p=$1; echo "$p"; for c in $(pgrep -P "$p" || true); do tree "$c"; done; }
while kill -0 "$root" 2>/dev/null; do
  for p in $(tree "$root"); do
    s=$(grep -E 'VmHWM|RssAnon|RssFile' "/proc/$p/status" 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ' ') || continue
    echo "$(date +%s) $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-60) | $s" >> "$out"
  done
  sleep 3
done
wait "$root"; rc=$?
python3 - "$out" <<'PY'
import collections, re, sys
peaks = collections.defaultdict(lambda: [0, 0, 0, ""])
for line in open(sys.argv[1]):
    m = re.match(r"\d+ (\d+) (.*?) \| VmHWM: (\d+) kB RssAnon: (\d+) kB RssFile: (\d+) kB", line)
    if m:
        pid, cmd, *kb = m.groups()
        p = peaks[pid]
        p[:3] = [max(a, int(b) // 1024) for a, b in zip(p[:3], kb)]
        p[3] = cmd
for pid, (hwm, anon, file_, cmd) in peaks.items():
    print(f"pid {pid}: VmHWM {hwm} MB, max RssAnon {anon} MB, max RssFile {file_} MB  {cmd}")
PY
exit $rc
