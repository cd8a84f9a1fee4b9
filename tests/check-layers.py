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
       tests/check-layers.py --self-test   a planted tree with one of each fault
                                           must fail with each named, a clean one pass
"""
import os, re, subprocess, sys, tempfile, shutil

MAX_LINES = 1500


def self_test():
    """Builds a small tree in a temporary folder: layers low < mid < top, then
    plants each fault in turn and checks that the real check names it."""
    me = os.path.abspath(__file__)
    def tree(d, files):
        for path, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(d, path), "w") as f:
                f.write(text)
        os.makedirs(os.path.join(d, "tests"), exist_ok=True)
        shutil.copy(me, os.path.join(d, "tests", "check-layers.py"))
        for src in [p for p in files if p.endswith(".c")]:
            o = os.path.join(d, "build", src[:-2] + ".o")
            os.makedirs(os.path.dirname(o), exist_ok=True)
            subprocess.run(["cc", "-c", "-I", d, "-o", o, os.path.join(d, src)], check=True, capture_output=True)
        r = subprocess.run([sys.executable, os.path.join(d, "tests", "check-layers.py"), "build"],
                           cwd=d, capture_output=True, text=True)
        return r.returncode, r.stdout
    base = {
        "Makefile": "SRC_DIRS = low mid \\\n           top\n",
        "low/README.md": "# low\n\nMay use: nothing\n",
        "mid/README.md": "# mid\n\nMay use: low\n",
        "top/README.md": "# top\n\nMay use: mid\n",
        "low/a.h": "int low_a(void);\n",
        "low/a.c": '#include "low/a.h"\nint low_a(void) { return 1; }\n',
        "low/a_internal.h": "int low_i(void);\n",
        "mid/b.h": "int mid_b(void);\n",
        "mid/b.c": '#include "low/a.h"\n#include "mid/b.h"\nint mid_b(void) { return low_a(); }\n',
        "top/c.c": '#include "mid/b.h"\nint top_c(void);\nint top_c(void) { return mid_b(); }\n',
    }
    faults = {
        "include up": ({"low/a.c": '#include "low/a.h"\n#include "mid/b.h"\nint low_a(void) { return 1; }\n'},
                       "low may not use mid"),
        "call up": ({"low/a.c": '#include "low/a.h"\nint mid_b(void);\nint low_a(void) { return mid_b(); }\n'},
                    "calls mid_b from mid"),
        "internals": ({"mid/b.c": '#include "low/a_internal.h"\n#include "mid/b.h"\nint mid_b(void) { return 0; }\n'},
                      "another layer's internals"),
        "unqualified": ({"mid/b.c": '#include "b.h"\nint mid_b(void) { return 0; }\n'},
                        "not path-qualified"),
        "cycle": ({"low/README.md": "# low\n\nMay use: top\n"}, "layer cycle"),
        "no May use": ({"mid/README.md": "# mid\n"}, "no 'May use:' line"),
        "too long": ({"top/c.c": base["top/c.c"] + "/* */\n" * (MAX_LINES + 1)}, "at most"),
    }
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        rc, out = tree(os.path.join(d, "clean"), base)
        print(("ok" if rc == 0 else "not ok") + " - a clean layered tree passes")
        bad += rc != 0
        for name, (change, expect) in faults.items():
            files = dict(base)
            files.update(change)
            rc, out = tree(os.path.join(d, name.replace(" ", "-")), files)
            good = rc != 0 and expect in out
            print(("ok" if good else "not ok") + f" - planted fault '{name}' is refused, naming it ({expect})")
            if not good:
                print(out)
            bad += not good
    sys.exit(1 if bad else 0)


if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
    self_test()
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
