"""Write versions.cfg, the buildout [versions] of constraints.txt.

constraints.txt is the single source of versions; run ``make versions.cfg``
after changing it (a test checks that both agree).
"""

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


def versions_cfg(constraints):
    lines = [
        "# Generated from constraints.txt by scripts/versions_cfg.py: do not edit.",
        "[versions]",
    ]
    for line in constraints.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            lines.append(f"{name.strip()} = {version.strip()}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = (ROOT / "constraints.txt").read_text()
    (ROOT / "versions.cfg").write_text(versions_cfg(text))
