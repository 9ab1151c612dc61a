"""fmlib as a package: every module importable by its own name, and typed where readers call it."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
import types

import pytest

import fmlib

MODULES = sorted(info.name for info in pkgutil.iter_modules(fmlib.__path__))


def test_there_are_modules():
    assert {"training", "solvers", "viz", "recipes"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_by_its_own_name(name):
    module = importlib.import_module(f"fmlib.{name}")
    assert isinstance(module, types.ModuleType) and module.__name__ == f"fmlib.{name}"
    # No function or object hides a module of the same name behind fmlib.<name>.
    assert getattr(fmlib, name, module) is module, f"fmlib.{name} is {getattr(fmlib, name)!r}, not the module"


def public_callables():
    """Everything `fmlib.__all__` names that a reader calls: its functions and classes, and those of its modules."""
    for name in fmlib.__all__:
        value = getattr(fmlib, name)
        if isinstance(value, types.ModuleType):
            for inner, member in vars(value).items():
                if (
                    not inner.startswith("_")
                    and (inspect.isfunction(member) or inspect.isclass(member))
                    # its own, or those of its sub-modules (fmlib.viz's)
                    and (member.__module__ == value.__name__ or member.__module__.startswith(value.__name__ + "."))
                ):
                    yield f"{name}.{inner}", member
        elif inspect.isfunction(value) or inspect.isclass(value):
            yield name, value


def missing_hints(function):
    signature = inspect.signature(function)
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.annotation is p.empty and p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if signature.return_annotation is signature.empty and function.__name__ != "__init__":
        missing.append("return")
    return missing


@pytest.mark.parametrize("name, value", list(public_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_functions_have_type_hints(name, value):
    functions = (
        [value]
        if inspect.isfunction(value)
        else [
            member
            for attribute, member in vars(value).items()
            if inspect.isfunction(member) and (not attribute.startswith("_") or attribute == "__init__")
        ]
    )
    for function in functions:
        assert not missing_hints(inspect.unwrap(function)), f"{name}.{function.__name__}: {missing_hints(function)}"


def test_import_fmlib_loads_no_drawing_library_until_a_drawing_module_is_used():
    heavy = ("ipywidgets", "matplotlib", "scipy", "IPython")
    script = (
        "import sys, fmlib\n"
        f"print(*[name for name in {heavy!r} if name in sys.modules] or ['none'])\n"
        "print('viz' in dir(fmlib), 'fmlib.viz' in sys.modules)\n"
        "from fmlib import widgets\n"
        "print(widgets is fmlib.widgets is sys.modules['fmlib.widgets'], callable(fmlib.viz.use_book_style))\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == ["none", "True False", "True True"]


def test_a_name_fmlib_lacks_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        fmlib.no_such_thing  # noqa: B018
