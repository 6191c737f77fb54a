"""The import graph of app/ has no cycle.

Every import of an app module counts, at the top of a module or inside a
function alike: an import moved into a function still makes the two modules
depend on each other, it only hides the cycle until something runs.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Edges allowed to close a cycle, each with its reason. The package `app`
# (create_app) registers every blueprint, model and command, so whatever
# imports `app` itself closes a loop through it; only these may.
ALLOWED_EDGES = {
    ("app.cli", "app"): "the jobs worker command builds a second app (own database engine) for its sweep thread",
    ("app.jobs", "app"): "an rq work horse outside any app context builds the app once, from the environment",
}


def module_name(path):
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules():
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def imported_modules(name, path, known):
    """The app modules `name` imports anywhere in its text (no implicit edges to parent packages)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in known else source)
    return {target for target in found if target in known and target != name} | ({name} if name in found and name in known else set())


def import_graph():
    known = modules()
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def strongly_connected(graph):
    """Tarjan's algorithm (iterative): the components of more than one module, or of one importing itself."""
    index, lowlink, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        components.append(sorted(component))
    return components


def a_cycle_in(component, graph):
    """One concrete loop through the component's first module, for the failure message."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node] & members):
            if successor == start:
                return " -> ".join(paths[node] + [start])
            if successor not in paths:
                paths[successor] = paths[node] + [successor]
                queue.append(successor)
    return start


def without_allowed(graph):
    return {name: {target for target in targets if (name, target) not in ALLOWED_EDGES} for name, targets in graph.items()}


def test_the_graph_sees_imports_inside_functions():
    # The check proves nothing if it misses function-local imports: the cycles used to hide there.
    assert "app" in import_graph()["app.cli"]  # `from app import create_app` inside worker_command


def test_from_package_import_submodule_is_an_edge_to_the_submodule():
    # `from app import converters` depends on app.converters, not on the package.
    assert "app.converters" in import_graph()["app"]


def test_the_app_modules_import_no_cycle():
    graph = without_allowed(import_graph())
    cycles = [a_cycle_in(component, graph) for component in strongly_connected(graph)]
    assert not cycles, "Import cycles in app/:\n" + "\n".join(cycles)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["e"]]


def test_allowed_edges_exist_and_only_they_import_the_package():
    graph = import_graph()
    for source, target in ALLOWED_EDGES:
        assert target in graph[source], f"{source} no longer imports {target}: drop the exception"
    importers_of_package = {name for name, targets in graph.items() if "app" in targets}
    assert importers_of_package == {source for source, target in ALLOWED_EDGES if target == "app"}
    assert not [name for name, targets in graph.items() if "app.cli" in targets and name != "app"]
