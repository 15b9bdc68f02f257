"""The region folders load, as ``campagne check`` validates them."""

from __future__ import annotations

from campagne.doctor.finding import Deployment, Finding, fail, ok, warn
from campagne.errors import ConfigInvalid
from campagne.plugin_loading import build_plugin_manager
from campagne.plugin_manager import CampagnePluginManager
from campagne.regions import RegionFolder, read_region_folders

CHECK = "regions"
#: Errors shown in the line; ``campagne check`` prints them all.
SHOWN = 3


def check_regions(deployment: Deployment
                  ) -> tuple[list[Finding], list[RegionFolder], CampagnePluginManager | None]:
    """Load the region folders and their plug-ins; the findings, and what loaded."""
    paths = deployment.region_dirs
    if not paths:
        return [warn(CHECK, "no region folder given: the plug-ins' migrations and the "
                            "scheduled jobs are not checked",
                     "give the region folders served as arguments, or set "
                     "CAMPAGNE_REGION_DIRS")], [], None
    folders, errors = read_region_folders(paths)
    manager = None
    try:
        manager = build_plugin_manager(
            folders, load_entry_points=deployment.settings.load_entry_points)
    except ConfigInvalid as exc:
        errors.extend(exc.errors)
    named = " ".join(str(path) for path in paths)
    if errors:
        shown = "; ".join(str(error) for error in errors[:SHOWN])
        more = f" (and {len(errors) - SHOWN} more)" if len(errors) > SHOWN else ""
        return [fail(CHECK, f"{len(errors)} error(s) in the region folders: {shown}{more}",
                     f"correct them, then run campagne check {named}")], [], None
    return [ok(CHECK, f"{len(folders)} region folder(s) valid: "
                      + ", ".join(sorted(folder.slug for folder in folders)))], folders, manager
