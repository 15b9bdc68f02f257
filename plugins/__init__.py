"""Shared plug-ins: any region enables one by naming it under ``plugins:`` in its
``region.yaml``."""
