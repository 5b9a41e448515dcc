# Runs a command; prints wall seconds, peak RSS (VmHWM, includes touched file-mapped pages) and
# peak anonymous RSS (RssAnon polled every 2 ms: the process's own memory, without the map).
import subprocess, sys, time
out, err = open(sys.argv[1], "wb"), open(sys.argv[2], "wb")
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
peak_anon = hwm = 0
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("RssAnon:"):
                peak_anon = max(peak_anon, int(line.split()[1]))
            elif line.startswith("VmHWM:"):
                hwm = max(hwm, int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError):
        pass
    time.sleep(0.002)
t = time.perf_counter() - t0
if p.returncode != 0:
    sys.exit(f"failed: {sys.argv[3:]}")
print(f"{t:.3f} {hwm} {peak_anon}")
