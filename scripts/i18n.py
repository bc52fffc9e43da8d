"""Rebuild the translation template and sync the catalogs.

i18ndude finds the messages of the code, templates and profiles; the texts
of the mail rules in ``contentrules.xml`` are added here, because the
install step translates them with the English text as message id.
"""

from pathlib import Path
from xml.dom import minidom

import subprocess
import sys


PACKAGE = Path(__file__).resolve().parent.parent / "src" / "collective" / "civicreports"
DOMAIN = "collective.civicreports"
LOCALES = PACKAGE / "locales"
POT = LOCALES / f"{DOMAIN}.pot"
RULES = PACKAGE / "profiles" / "default" / "contentrules.xml"
LANGUAGES = ("it", "en")
BIN = Path(sys.executable).parent


def rule_texts():
    """The rule texts, in the form the GenericSetup import stores them."""
    texts = []
    dom = minidom.parse(str(RULES))
    for rule in dom.getElementsByTagName("rule"):
        texts += [rule.getAttribute("title"), rule.getAttribute("description")]
        for prop in rule.getElementsByTagName("property"):
            if prop.getAttribute("name") in ("subject", "message"):
                texts.append(
                    "".join(
                        n.data for n in prop.childNodes if n.nodeType == n.TEXT_NODE
                    )
                )
    return [text for text in texts if text]


def po_string(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{lines[0]}"'
    parts = [f'"{line}\\n"' for line in lines[:-1]] + (
        [f'"{lines[-1]}"'] if lines[-1] else []
    )
    return '""\n' + "\n".join(parts)


def main():
    subprocess.run(
        [
            BIN / "i18ndude",
            "rebuild-pot",
            "--pot",
            POT,
            "--create",
            DOMAIN,
            # An XML template (no message in it), which i18ndude reads as HTML.
            "--exclude",
            "reports_rss.pt",
            PACKAGE,
        ],
        check=True,
    )
    known = POT.read_text(encoding="utf-8")
    extra = []
    for text in dict.fromkeys(rule_texts()):
        entry = f"msgid {po_string(text)}"
        if entry not in known:
            extra.append(
                f'#: ./profiles/default/contentrules.xml\n{entry}\nmsgstr ""\n'
            )
    with POT.open("a", encoding="utf-8") as pot:
        for entry in extra:
            pot.write("\n" + entry)
    for language in LANGUAGES:
        po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if not po.exists():
            po.write_text(
                'msgid ""\nmsgstr ""\n'
                '"Content-Type: text/plain; charset=UTF-8\\n"\n'
                '"Content-Transfer-Encoding: 8bit\\n"\n'
                f'"Language-Code: {language}\\n"\n'
                f'"Language-Name: {language}\\n"\n'
                '"Domain: collective.civicreports\\n"\n',
                encoding="utf-8",
            )
        subprocess.run([BIN / "i18ndude", "sync", "--pot", POT, po], check=True)


if __name__ == "__main__":
    main()
