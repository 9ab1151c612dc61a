"""fmlib as a package: every module importable by its own name, and typed where readers call it."""

import importlib
import inspect
import pkgutil
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
                    and member.__module__ == value.__name__
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
