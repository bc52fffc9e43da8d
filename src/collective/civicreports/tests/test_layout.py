"""The package's layout: the tree of ``docs/architecture.rst`` is the code's,
no module imports one that imports it back, and the domain imports no
route."""

from pathlib import Path

import ast
import re
import unittest


PACKAGE = Path(__file__).resolve().parent.parent
ARCHITECTURE = PACKAGE.parents[2] / "docs" / "architecture.rst"
NAME = "collective.civicreports"
# Where requests are answered: the domain never imports them.
ROUTES = ("browser", "services", "open311", "serializers", "controlpanels")
DOMAIN = ("reports", "categories", "privacy", "sla", "geo", "mail")


def modules():
    """Dotted names (below the package) of the code's modules."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "tests":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(path, known):
    """The package's modules that the module at ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(NAME):
            base = node.module[len(NAME) :].lstrip(".")
            for alias in node.names:
                name = f"{base}.{alias.name}".lstrip(".")
                found.add(name if name in known else base)
        elif isinstance(node, ast.Import):
            found |= {
                a.name[len(NAME) :].lstrip(".")
                for a in node.names
                if a.name.startswith(NAME)
            }
    return found & set(known)


def graph():
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def cycles(edges):
    """The strongly connected components with more than one module."""
    index, low, stack, found = {}, {}, [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while component[-1:] != [node]:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def documented_tree():
    """The modules and packages the Layout section's tree names."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\nLayout\n======\n", 1)[1]
    block = section.split("::\n\n", 1)[1]
    names, parents = set(), []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            break  # the end of the literal block
        match = re.match(r"^( +)(\S+)", line)
        if not match or match.group(2) == "src/collective/civicreports/":
            continue
        depth = (len(match.group(1)) - 6) // 2
        entry = match.group(2)
        if depth < 0 or not re.fullmatch(r"[a-z][a-z_0-9]*(/|\.py)", entry):
            continue  # a description, a file that is no module
        parents[depth:] = [entry.rstrip("/").removesuffix(".py")]
        names.add(".".join(parents[: depth + 1]))
    return names


class LayoutTest(unittest.TestCase):
    def test_no_cycles(self):
        self.assertEqual(cycles(graph()), [])

    def test_the_domain_imports_no_route(self):
        upward = sorted(
            (name, target)
            for name, targets in graph().items()
            if name.split(".")[0] in DOMAIN
            for target in targets
            if target.split(".")[0] in ROUTES
        )
        self.assertEqual(upward, [])

    def test_the_documented_tree_is_the_code(self):
        code = {name for name in modules() if name}
        # Endpoints are folders of verbs (get.py, post.py): the tree names
        # the folder; the upgrade steps are listed together.
        code = {
            name
            for name in code
            if not re.match(r"services\.\w+\.\w+$|upgrades\.\w+$", name)
        }
        documented = documented_tree()
        self.assertEqual(sorted(code - documented), [], "missing from the docs")
        self.assertEqual(
            sorted(documented - code - {"profiles", "locales", "templates"}),
            [],
            "in the docs, not in the code",
        )

    def test_the_tree_is_read(self):
        # The parser of the tree above finds what it should.
        documented = documented_tree()
        self.assertIn("reports.workflow", documented)
        self.assertIn("services.reports", documented)
        self.assertIn("permissions", documented)
        self.assertGreater(len(documented), 80)
