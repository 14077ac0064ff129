"""Print the app-level import graph of wuye and its cycles (between apps, and between modules inside an app).

    .venv/bin/python scripts/import_graph.py [path-to-tree]

Uses grimp (installed with import-linter). Tests are left out (they may import any app), and so are imports
under `if TYPE_CHECKING:` (as import-linter's contracts leave them out).
"""

import sys

import grimp


def _app(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def main() -> None:
    if len(sys.argv) > 1:
        sys.path.insert(0, sys.argv[1])
    graph = grimp.build_graph("wuye", cache_dir=None, exclude_type_checking_imports=True)
    modules = {m for m in graph.modules if ".tests" not in m and ".migrations" not in m}
    edges: dict[str, set[str]] = {}
    inner: dict[str, set[str]] = {}
    for m in modules:
        for dep in graph.find_modules_directly_imported_by(m):
            if dep not in modules:
                continue
            a, b = _app(m), _app(dep)
            if a != b:
                edges.setdefault(a, set()).add(b)
            elif m != dep:
                inner.setdefault(m, set()).add(dep)
    app_cycles = _cycles(edges)
    mod_cycles = _cycles(inner)
    print("app edges:")
    for a in sorted(edges):
        print(f"  {a} -> {', '.join(sorted(edges[a]))}")
    print(f"cycles between apps: {len(app_cycles)}")
    for c in app_cycles:
        print("  " + " -> ".join(c))
    print(f"cycles between modules inside an app: {len(mod_cycles)}")
    for c in mod_cycles:
        print("  " + " -> ".join(c))


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each shown as a sorted ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
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
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    main()
