#!/usr/bin/env python3
"""check-layers.py — the source folders are layers; arrows point down.

Each source folder's README.md has a line "May use: A, B" (or "nothing") naming
the folders it may depend on; what a folder may use is that list and, through
it, everything below.  This check fails when
  - the "May use" graph has a cycle, or a folder lacks the line;
  - a source file includes a header from a folder it may not use, or a header
    that is not path-qualified ("dir/file.h" from the source root);
  - a source file includes another folder's *_internal.h;
  - an object file calls (links to) a symbol defined in a folder it may not use
    (nm over BUILD's objects; skipped only when BUILD has no objects);
  - a product source file is longer than MAX_LINES lines.
Usage: tests/check-layers.py [BUILD]   (default build)
"""
import os, re, subprocess, sys

MAX_LINES = 1500
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
build = sys.argv[1] if len(sys.argv) > 1 else "build"

# the source folders: those listed in the Makefile's SRC_DIRS
mk = open("Makefile").read()
m = re.search(r"^SRC_DIRS\s*=\s*((?:.*\\\n)*.*)$", mk, re.M)
dirs = m.group(1).replace("\\\n", " ").split()
errors = []

uses = {}
for d in dirs:
    try:
        text = open(os.path.join(d, "README.md")).read()
    except OSError:
        errors.append(f"{d}/README.md: missing (it must say what the folder may use)")
        continue
    m = re.search(r"^May use: (.*)$", text, re.M)
    if not m:
        errors.append(f"{d}/README.md: no 'May use:' line")
        continue
    val = m.group(1).strip().rstrip(".")
    uses[d] = [] if val == "nothing" else [x.strip() for x in val.split(",")]
    for u in uses[d]:
        if u not in dirs:
            errors.append(f"{d}/README.md: may use '{u}', which is not a source folder")

# transitive closure, with cycle detection
allowed = {}
def closure(d, stack=()):
    if d in allowed:
        return allowed[d]
    if d in stack:
        errors.append("layer cycle: " + " -> ".join(stack + (d,)))
        return set()
    s = set()
    for u in uses.get(d, []):
        if u in dirs:
            s |= {u} | closure(u, stack + (d,))
    allowed[d] = s
    return s
for d in dirs:
    closure(d)

def may(src_dir, dep_dir):
    return src_dir == dep_dir or dep_dir in allowed.get(src_dir, set())

inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
nfiles = 0
for d in dirs:
    for f in sorted(os.listdir(d)):
        if not f.endswith((".c", ".h")):
            continue
        nfiles += 1
        path = f"{d}/{f}"
        text = open(path).read()
        n = text.count("\n")
        if n > MAX_LINES:
            errors.append(f"{path}: {n} lines (at most {MAX_LINES}: split it by what it does)")
        for inc in inc_re.findall(text):
            hdir = os.path.dirname(inc)
            if hdir not in dirs:
                errors.append(f"{path}: #include \"{inc}\" is not path-qualified from the source root")
                continue
            if not may(d, hdir):
                errors.append(f"{path}: #include \"{inc}\": {d} may not use {hdir} (see {d}/README.md)")
            elif hdir != d and inc.endswith("_internal.h"):
                errors.append(f"{path}: #include \"{inc}\": another layer's internals")

# linked symbols
objs = []
for d in dirs:
    od = os.path.join(build, d)
    if os.path.isdir(od):
        objs += [(d, os.path.join(od, f)) for f in sorted(os.listdir(od)) if f.endswith(".o")]
if not objs:
    errors.append(f"{build}: no object files; build first (make) so that calls can be checked")
else:
    defined, undef = {}, []
    for d, o in objs:
        out = subprocess.run(["nm", "-P", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            sym, kind = parts[0], parts[1]
            if kind == "U":
                undef.append((d, o, sym))
            elif kind in "TDBRCV" or kind in "W":
                defined.setdefault(sym, d)
    for d, o, sym in undef:
        dd = defined.get(sym)
        if dd and not may(d, dd):
            errors.append(f"{o}: calls {sym} from {dd}: {d} may not use {dd}")

for e in errors:
    print("check-layers: " + e)
if errors:
    print(f"check-layers: {len(errors)} problem(s)")
    sys.exit(1)
print(f"check-layers: ok: {len(dirs)} folders, {nfiles} files, {len(objs)} objects; no include or call points up or sideways")
