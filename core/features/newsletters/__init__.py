"""Newsletters: placeholder while the package is written."""
from campagne.features import Feature

FEATURE = Feature("newsletters")
