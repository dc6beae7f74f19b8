"""thread.pyi, shipped beside the module, names exactly what the module
has, with the same parameters."""
import ast
import inspect
import os
import unittest

import thread


def stub_path():
    return os.path.join(os.path.dirname(thread.__file__), "thread.pyi")


def params(fn_node):
    a = fn_node.args
    names = [p.arg for p in a.posonlyargs + a.args]
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [p.arg for p in a.kwonlyargs]
    return names


def runtime_params(obj):
    out = []
    for p in inspect.signature(obj).parameters.values():
        out.append("*" + p.name if p.kind == p.VAR_POSITIONAL else p.name)
    return out


class Stub(unittest.TestCase):
    def setUp(self):
        with open(stub_path()) as f:
            self.tree = ast.parse(f.read())

    def top_level(self):
        names = {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names[node.name] = node
            elif isinstance(node, ast.AnnAssign):
                names[node.target.id] = node
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    names[t.id] = node
        return names

    def test_the_stub_is_installed_beside_the_module(self):
        self.assertTrue(os.path.exists(stub_path()))

    def test_the_stub_names_exactly_the_public_names_of_the_module(self):
        public = {n for n in dir(thread) if not n.startswith("_")}
        self.assertEqual(set(self.top_level()), public)

    def test_stub_functions_have_the_modules_parameters(self):
        for name, node in self.top_level().items():
            if isinstance(node, ast.FunctionDef):
                self.assertEqual(params(node), runtime_params(getattr(thread, name)), name)

    def test_stub_methods_exist_with_the_modules_parameters(self):
        cls = self.top_level()["LockType"]
        seen = {}
        for node in cls.body:
            if isinstance(node, ast.FunctionDef):
                seen.setdefault(node.name, set()).update(params(node)[1:])
        methods = {n for n in dir(thread.LockType) if not n.startswith("_")}
        self.assertEqual({n for n in seen if not n.startswith("_")}, methods)
        for name, stub_params in seen.items():
            if name == "__init__":
                continue
            real = runtime_params(getattr(thread.LockType, name))[1:]
            if name == "__exit__":
                self.assertEqual(real, ["*exc_info"])
                continue
            self.assertEqual(stub_params, set(real), name)


if __name__ == "__main__":
    unittest.main()
