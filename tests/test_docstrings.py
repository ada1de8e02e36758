"""Every public function, method and class in ``share/`` says why it exists.

Public means a name without a leading underscore, at module level or inside a
public class (Flask views and click commands included); functions nested in
functions are private by construction and not checked.
"""

import ast
from pathlib import Path

SHARE = Path(__file__).resolve().parent.parent / "share"
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _undocumented(body: list[ast.stmt], prefix: str = "") -> list[tuple[int, str]]:
    """``(line, qualified name)`` of each public definition in ``body`` without a docstring."""
    missing = []
    for node in body:
        if not isinstance(node, _DEFS) or node.name.startswith("_"):
            continue
        if not (ast.get_docstring(node) or "").strip():
            missing.append((node.lineno, prefix + node.name))
        if isinstance(node, ast.ClassDef):
            missing += _undocumented(node.body, f"{prefix}{node.name}.")
    return missing


def test_every_public_definition_in_share_has_a_docstring():
    missing = [
        f"{path.relative_to(SHARE.parent)}:{line} {name}"
        for path in sorted(SHARE.rglob("*.py"))
        for line, name in _undocumented(ast.parse(path.read_text(encoding="utf-8")).body)
    ]
    assert not missing, "public definitions without a docstring:\n" + "\n".join(missing)
