"""Campagne: a multi-region plug-in framework for rural telework programmes.

Writing a plug-in
=================

A plug-in is a Python module (or any object) whose functions are marked with
:data:`hookimpl` and named after the hooks in :mod:`campagne.hookspecs`. It imports
from :mod:`campagne.toolkit` only, the public and stable part of Campagne
(``docs/toolkit.md``)::

    from campagne.toolkit import ServiceSpec, hookimpl

    @hookimpl
    def register_services(region, settings):
        return [ServiceSpec(slug="night-desk", category="office_access", name={"fr": "..."})]

An implementation names only the arguments it needs, in any order, and never
gives them default values. Three places provide plug-ins:

1. a ``plugins/*.py`` module inside a region folder (active for that region only);
2. a shared plug-in from :mod:`campagne.plugins`, enabled by listing it under
   ``plugins:`` in a region's ``region.yaml``;
3. an installed distribution exposing an entry point in the ``campagne`` group
   (active in every region unless the region lists it under ``disabled_plugins:``).

A plug-in may declare a ``Settings`` class (a pydantic model); the settings given
for it in ``region.yaml`` are validated against it and passed as ``settings``.
See ``docs/plugins.md`` for the reference of every hook.
"""

from campagne.hookspecs import hookimpl  # also campagne.toolkit.hookimpl, the one to use

__all__ = ["hookimpl"]
__version__ = "0.2.0.dev0"
