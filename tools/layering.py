#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Check that pudge's kernel-side dependencies run one way.

Two graphs over the files of drm/, svm/, ttm/, compat/ and uapi/:
  - includes: which file includes which (quoted includes only);
  - calls: which .c file uses a function or object that another .c file
    defines (non-static), found from the sources.
Rules (README, "Architecture"):
  - a folder may include only the folders below it:
        drm/ -> svm/ (its public header only), ttm/, uapi/, compat/
        svm/ -> ttm/, uapi/, compat/
        ttm/ -> compat/
        uapi/, compat/ -> nothing of ours
  - nothing outside svm/ includes an SVM header other than svm/pudge_svm.h;
  - no circle in either graph, between folders or between files.
Exit status 1 and one line per violation when a rule is broken.
"""
import os
import re
import sys

FOLDERS = ["drm", "svm", "ttm", "uapi", "compat"]
ALLOWED = {
    "drm": {"drm", "svm", "ttm", "uapi", "compat"},
    "svm": {"svm", "ttm", "uapi", "compat"},
    "ttm": {"ttm", "compat"},
    "uapi": {"uapi"},
    "compat": {"compat"},
}
SVM_PUBLIC = "svm/pudge_svm.h"


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def sources(root):
    files = []
    for d in FOLDERS:
        path = os.path.join(root, d)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                files.append(d + "/" + name)
    return files


def definitions(text):
    """Non-static functions and objects defined at file scope."""
    names = set()
    for m in re.finditer(r"^(?!static\b)([A-Za-z_][^;{}()#=]*?)\b([a-z_][a-z0-9_]*)\s*\(([^;{}]*?)\)\s*\{",
                         text, flags=re.M):
        names.add(m.group(2))
    for m in re.finditer(r"^(?!static\b)(?:const\s+)?struct\s+\w+\s+([a-z_][a-z0-9_]*)\s*=",
                         text, flags=re.M):
        names.add(m.group(1))
    return names


def find_cycles(nodes, edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    files = sources(root)
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    texts = {f: strip_comments(open(os.path.join(root, f)).read()) for f in files}
    errors = []

    includes = {}
    for f in files:
        folder = f.split("/")[0]
        for m in re.finditer(r'^\s*#\s*include\s+"([^"]+)"', texts[f], flags=re.M):
            name = os.path.basename(m.group(1))
            targets = by_name.get(name, [])
            if not targets:
                # The kernel's own headers (uapi's "drm.h") and generated ones.
                continue
            if len(targets) > 1:
                errors.append("%s: %s is ambiguous: %s" % (f, name, " ".join(targets)))
                continue
            t = targets[0]
            tfolder = t.split("/")[0]
            includes.setdefault(f, set()).add(t)
            if tfolder not in ALLOWED[folder]:
                errors.append("%s includes %s: %s/ may not depend on %s/" % (f, t, folder, tfolder))
            if tfolder == "svm" and folder != "svm" and t != SVM_PUBLIC:
                errors.append("%s includes %s: outside svm/ only %s" % (f, t, SVM_PUBLIC))

    defined = {}
    for f in files:
        if f.endswith(".c"):
            for name in definitions(texts[f]):
                if name in defined and defined[name] != f:
                    errors.append("%s and %s both define %s" % (defined[name], f, name))
                defined[name] = f
    calls = {}
    for f in files:
        if not f.endswith(".c"):
            continue
        for tok in set(re.findall(r"\b[a-z_][a-z0-9_]*\b", texts[f])):
            t = defined.get(tok)
            if t and t != f:
                calls.setdefault(f, set()).add(t)
                ffolder, tfolder = f.split("/")[0], t.split("/")[0]
                if tfolder not in ALLOWED[ffolder]:
                    errors.append("%s uses %s of %s: %s/ may not depend on %s/" %
                                  (f, tok, t, ffolder, tfolder))

    for kind, graph in (("include", includes), ("call", calls)):
        for comp in find_cycles(files, graph):
            errors.append("%s circle: %s" % (kind, " <-> ".join(comp)))
        folder_graph = {}
        for a, bs in graph.items():
            for b in bs:
                fa, fb = a.split("/")[0], b.split("/")[0]
                if fa != fb:
                    folder_graph.setdefault(fa, set()).add(fb)
        for comp in find_cycles(FOLDERS, folder_graph):
            errors.append("%s circle between folders: %s" % (kind, " <-> ".join(comp)))

    for e in errors:
        print("layering: " + e)
    nedges = sum(len(v) for v in calls.values())
    print("layering: %d files, %d include edges, %d call edges, %d symbols: %s" %
          (len(files), sum(len(v) for v in includes.values()), nedges, len(defined),
           "FAIL" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
