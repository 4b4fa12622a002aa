"""OpenFOAM chtMultiRegionSimpleFoam reference on a corpus plate (issue 16): the conjugate
design-point case on the identical mesh.

Mesh: as :mod:`benchmarks.openfoam.corpus_simplefoam` (the corpus generator, gmsh msh 2.2,
``gmshToFoam``, ``splitMeshRegions -cellZonesOnly -overwrite``); every region of the plate is
kept: the metal regions are copper, the coolant region is PG25.

Physics (``benchmarks/corpus.py`` ``build_case(..., constant=True)``): PG25 with constant
properties at the inlet temperature (35 °C), laminar; copper with the constant conductivity of
rackflow's copper at ``COPPER_AT_C``; a uniform inlet velocity for the design flow at 35 °C, outlet
p = 0 (``inletOutlet`` for U and T); the design power spread uniformly over ``heated``
(``externalWallHeatFluxTemperature`` mode ``power``); every other outer face adiabatic; all
region interfaces coupled (``turbulentTemperatureCoupledBaffleMixed``). No gravity.

Reported: R_th = (hottest ``base`` cell − inlet temperature) / power, as ``benchmarks/corpus.py``
defines it, ΔP (area-weighted mean total pressure, inlet to outlet), the energy balance
(ṁ c_p (T_out,mixed − T_in) / power), iterations, times, memory and the last residuals, with the
hottest base temperature sampled every 10 iterations.

The case is solved in millimetres (``SCALE``; lengths, viscosity and conductivities × 1000,
flow and power × 1e6, so velocities, pressures and temperatures are the real plate's): v1912's
compressible solvers (this one and ``buoyantSimpleFoam`` alike) blow up in the first iteration on
these tetrahedral meshes in metres (velocities ~1e4 m/s after one iteration, from rest or from
the converged simpleFoam flow), and run normally on the same mesh scaled by 1000 with similar
properties. The scaling is exact: simpleFoam gives the same 222 iterations and ΔP to 6 digits
scaled and unscaled.

Settings (``SETTINGS``): SIMPLE on the coolant, U 0.7 / p_rgh 0.3 / h 0.9, first-order upwind
for U and h (openfoam.md: linearUpwind undershoots the inlet temperature, bounded limitedLinear
stalls), ``limited corrected 0.5`` laplacians, one non-orthogonal corrector, copper h by PCG/DIC;
started from rest, or from the converged simpleFoam flow on the same mesh (``-init``: U, p and
the conservative fluxes φ), or energy only on that flow (``-frozen``: ``frozenFlow``, exact for
constant properties, where the flow does not depend on temperature). Stops when the coolant's
initial residuals are below ``TOL`` (``runTimeControl``) or at ``--max-iter``.

Second order (``linearUpwind-*``): simpleFoam's ``linearUpwind-gradLinear`` flow (``bounded Gauss
linearUpwind grad(U)``, ``grad(U) Gauss linear``) and ``bounded Gauss linearUpwind grad(h)`` for
the energy, which is rackflow's default energy scheme (linear upwind on a limited gradient), with
the h gradient's limiter as the variable: ``cellLimited`` (Barth–Jespersen, rackflow's limiter;
on the 5e4 serpentine tetrahedra its h residual stalls near 1e-3 with the coolant 0.3 K below the
inlet), ``cellLimited<Venkatakrishnan>`` and ``cellLimited<cubic> 1.5`` (smooth limiters: R_th
settles, bounded), none. A stalled run is judged by ``rth_last10pct_rel_change`` and
``t_fluid_min_c``.

    python -m benchmarks.openfoam.corpus_cht --plate serpentine --target-cells 5e4 \
        --settings linearUpwind-venkat-frozen --json tests/validation/reference/corpus_cht.json

    python -m benchmarks.openfoam.corpus_cht --plate serpentine --target-cells 5e4 --np 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, print_header
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_simplefoam import design_of, make_mesh, patch_faces

COPPER_AT_C = 35.0
TOL = {"p_rgh": 1e-6, "U": 1e-6, "h": 1e-8}
_UPWIND = {"div_U": "bounded Gauss upwind", "div_h": "bounded Gauss upwind", "U": 0.7, "p_rgh": 0.3, "h": 0.9}
#: ``init``: start the coolant from the converged simpleFoam flow of that setting on the same
#: mesh (U, p and the conservative face fluxes phi); ``frozen``: solve energy only on that flow
#: (``frozenFlow``) -- exact for constant properties, where the flow does not depend on temperature.
SETTINGS: dict[str, dict[str, Any]] = {
    "upwind": {**_UPWIND, "init": None, "frozen": False},
    "upwind-init": {**_UPWIND, "init": "upwind", "frozen": False},
    "upwind-frozen": {**_UPWIND, "init": "upwind", "frozen": True},
    "secondOrder-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "div_h": "bounded Gauss limitedLinear 1",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    "linearUpwindU-init": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "init": "linearUpwind-gradLinear",
        "frozen": False,
    },
    # Second order for h as rackflow's default energy scheme is: linear upwind on a Barth–Jespersen
    # limited gradient (``cellLimited … 1`` keeps every face value within its neighbours' range, so
    # no undershoot of the inlet temperature; bounded ``limitedLinear`` stalled near 1e-4 on the 2e5
    # prisms: ``secondOrder-frozen``). The flow is simpleFoam's ``linearUpwind-gradLinear``.
    "linearUpwind-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "cellLimited Gauss linear 1",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    # the same with rackflow's gradient (least squares, limited)
    "linearUpwind-lsq-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "cellLimited leastSquares 1",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    # smooth limiters of the h gradient (the Barth–Jespersen one switches and stalls the residual)
    "linearUpwind-venkat-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "cellLimited<Venkatakrishnan> Gauss linear 1",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    "linearUpwind-cubic-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "cellLimited<cubic> 1.5 Gauss linear 1",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    # no limiter at all (openfoam.md: in a coupled run from rest it undershot the inlet by 15 K)
    "linearUpwind-unlimited-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "Gauss linear",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    # first-order h on the second-order flow: how much of the change from ``upwind-frozen`` is the flow's
    "upwindH-linearUpwindU-frozen": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "init": "linearUpwind-gradLinear",
        "frozen": True,
    },
    # coupled: flow and energy together, from simpleFoam's second-order flow
    "linearUpwind-venkat-init": {
        **_UPWIND,
        "div_U": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "div_h": "bounded Gauss linearUpwind grad(h)",
        "grad_h": "cellLimited<Venkatakrishnan> Gauss linear 1",
        "init": "linearUpwind-gradLinear",
        "frozen": False,
    },
}
P_REF = 1.0e5
#: Lengths are multiplied by SCALE (``transformPoints -scale``), viscosity and conductivities by
#: SCALE, the volumetric flow and the power by SCALE²: Re, Pr, Pe, the conductivity ratio and the
#: heat flux are unchanged, so velocities, pressures and temperatures are those of the real plate.
#: Needed because v1912's compressible solvers (chtMultiRegionSimpleFoam and buoyantSimpleFoam
#: alike) blow up in the first iteration on the metre-scale tetrahedral corpus meshes (velocity
#: ~1e4 m/s after one iteration from rest or from the converged simpleFoam field), and run
#: normally on the same mesh in millimetres with similar properties.
SCALE = 1000.0


def hot_region(design: Any) -> str:
    """The metal region whose hottest cell defines R_th: ``base`` on the corpus plates, else the
    first metal region (the straight channel's ``solid``)."""
    return "base" if "base" in design.regions else next(r for r in design.regions if r != design.fluid)


def regions_of(mesh_root: Path) -> list[str]:
    const = mesh_root / "foam" / "constant"
    return sorted(
        p.name for p in const.iterdir() if (p / "polyMesh" / "boundary").exists() and p.name != "polyMesh"
    )


def patch_names(mesh_root: Path, region: str) -> list[str]:
    text = (mesh_root / "foam" / "constant" / region / "polyMesh" / "boundary").read_text()
    return re.findall(r"^\s{4}(\w+)\s*\n\s{4}\{", text, re.M)


def write_case(
    case: Path, mesh_root: Path, plate: str, setting: str, max_iter: int, scale: float = SCALE
) -> dict[str, Any]:
    import rackflow as rf

    design = design_of(plate)
    s = SETTINGS[setting]
    foam.clean_case(case)
    shutil.copytree(mesh_root / "foam" / "constant", case / "constant")
    for junk in ("cellToRegion", "polyMesh"):
        shutil.rmtree(case / "constant" / junk, ignore_errors=True)
    (case / "constant" / "cellToRegion").unlink(missing_ok=True)
    # the whole mesh is not needed by the solver; the regions keep their own polyMesh
    regions = regions_of(mesh_root)
    if scale != 1.0:
        foam.write_control_dict(case, "chtMultiRegionSimpleFoam", max_iter)
        for region in regions:
            foam.run_util(
                case,
                ["transformPoints", "-region", region, "-scale", f"({scale:g} {scale:g} {scale:g})"],
                log_name=f"transformPoints.{region}",
            )
    fluid = design.fluid
    solids = [r for r in regions if r != fluid]
    props = {
        k: float(v) for k, v in rf.get_coolant(design.coolant).properties(design.inlet_temperature_c).items()
    }
    rho, mu, k_f, cp = (
        props[k] for k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    )
    copper = rf.get_material("copper")
    table = np.asarray(copper.conductivity_w_mk, dtype=float)
    k_cu = float(np.interp(COPPER_AT_C, table[:, 0], table[:, 1]))
    t_in = design.inlet_temperature_c + 273.15

    stop = "\n".join(
        f"            c_{f} {{ type equationInitialResidual; fields ({f}); value {tol:g}; mode minimum; groupID 1; }}"
        for f, tol in TOL.items()
        if f == "h" or not s["frozen"]
    )
    functions = (
        f"    stop_{fluid}\n    {{\n        type runTimeControl;\n        libs (utilityFunctionObjects);\n"
        f"        region {fluid};\n        conditions\n        {{\n{stop}\n        }}\n        satisfiedAction end;\n    }}\n"
        f"    tmax_base\n    {{\n        type volFieldValue;\n        libs (fieldFunctionObjects);\n        region {hot_region(design)};\n"
        "        regionType all;\n        operation max;\n        fields (T);\n        writeFields false;\n        log false;\n"
        "        executeControl timeStep;\n        executeInterval 10;\n        writeControl timeStep;\n        writeInterval 10;\n    }"
    )
    foam.write_control_dict(case, "chtMultiRegionSimpleFoam", max_iter, functions=functions)
    plain = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; }
laplacianSchemes { default Gauss linear limited corrected 0.5; }
interpolationSchemes { default linear; }
snGradSchemes { default limited corrected 0.5; }
"""
    foam.write_file(case, "system/fvSchemes", "dictionary", plain)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.write_file(
        case,
        "constant/regionProperties",
        "dictionary",
        f"regions ( fluid ({fluid}) solid ({' '.join(solids)}) );\n",
    )
    foam.write_file(
        case, "constant/g", "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 0);\n"
    )
    foam.write_file(
        case,
        f"constant/{fluid}/thermophysicalProperties",
        "dictionary",
        f"""
thermoType
{{
    type heRhoThermo; mixture pureMixture; transport const; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 76; }}
    equationOfState {{ rho {rho:.10g}; }}
    thermodynamics {{ Cp {cp:.10g}; Hf 0; }}
    transport {{ mu {mu * scale:.10g}; Pr {cp * mu / k_f:.10g}; }}
}}
""",
    )
    foam.write_file(case, f"constant/{fluid}/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    foam.write_file(
        case, f"constant/{fluid}/radiationProperties", "dictionary", "radiation off;\nradiationModel none;\n"
    )
    grad_h = f" grad(h) {s['grad_h']};" if "grad_h" in s else ""
    foam.write_file(
        case,
        f"system/{fluid}/fvSchemes",
        "dictionary",
        f"""
ddtSchemes {{ default steadyState; }}
gradSchemes {{ default Gauss linear; grad(U) {s.get("grad_U", "cellLimited Gauss linear 1")};{grad_h} }}
divSchemes
{{
    default         none;
    div(phi,U)      {s["div_U"]};
    div(phi,h)      {s["div_h"]};
    div(phi,K)      bounded Gauss upwind;
    div(((rho*nuEff)*dev2(T(grad(U))))) Gauss linear;
}}
laplacianSchemes {{ default Gauss linear limited corrected 0.5; }}
interpolationSchemes {{ default linear; }}
snGradSchemes {{ default limited corrected 0.5; }}
""",
    )
    foam.write_file(
        case,
        f"system/{fluid}/fvSolution",
        "dictionary",
        f"""
solvers
{{
    p_rgh {{ solver GAMG; smoother DIC; tolerance 1e-10; relTol 0.05; }}
    "(U|h)" {{ solver PBiCGStab; preconditioner DILU; tolerance 1e-12; relTol 0.1; }}
}}
SIMPLE
{{
    momentumPredictor yes;
    frozenFlow      {"yes" if s["frozen"] else "no"};
    nNonOrthogonalCorrectors 1;
    pRefCell 0;
    pRefValue {P_REF:g};
}}
relaxationFactors
{{
    fields {{ rho 1; p_rgh {s["p_rgh"]:g}; }}
    equations {{ U {s["U"]:g}; h {s["h"]:g}; }}
}}
""",
    )
    for solid in solids:
        foam.write_file(
            case,
            f"constant/{solid}/thermophysicalProperties",
            "dictionary",
            f"""
thermoType
{{
    type heSolidThermo; mixture pureMixture; transport constIso; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 63.5; }}
    transport {{ kappa {k_cu * scale:.10g}; }}
    thermodynamics {{ Hf 0; Cp {copper.specific_heat_j_kgk:g}; }}
    equationOfState {{ rho {copper.density_kg_m3:g}; }}
}}
""",
        )
        foam.write_file(
            case,
            f"constant/{solid}/radiationProperties",
            "dictionary",
            "radiation off;\nradiationModel none;\n",
        )
        foam.write_file(case, f"system/{solid}/fvSchemes", "dictionary", plain)
        foam.write_file(
            case,
            f"system/{solid}/fvSolution",
            "dictionary",
            """
solvers { h { solver PCG; preconditioner DIC; tolerance 1e-12; relTol 0.1; } }
SIMPLE { nNonOrthogonalCorrectors 1; }
relaxationFactors { equations { h 1; } }
""",
        )

    def field(rel: str, cls: str, dims: str, internal: str, bcs: dict[str, str]) -> None:
        patches = {k: f"{{ {v} }}" for k, v in bcs.items()}
        foam.write_boundary_field(case, rel.removeprefix("0/"), cls, dims, f"uniform {internal}", patches)

    def coupled(method: str) -> str:
        return f"type compressible::turbulentTemperatureCoupledBaffleMixed; Tnbr T; kappaMethod {method}; value uniform {t_in:g};"

    fl_patches = patch_names(mesh_root, fluid)
    inlets = list(design.flow_lpm)
    u_bc, t_bc, prgh_bc = {}, {}, {}
    for p in fl_patches:
        if p in inlets:
            u_bc[p] = (
                f"type flowRateInletVelocity; volumetricFlowRate {design.flow_lpm[p] / 60000.0 * scale**2:.10g}; value uniform (0 0 0);"
            )
            t_bc[p] = f"type fixedValue; value uniform {t_in:g};"
            prgh_bc[p] = f"type fixedFluxPressure; value uniform {P_REF:g};"
        elif p == "outlet":
            u_bc[p] = "type inletOutlet; inletValue uniform (0 0 0); value uniform (0 0 0);"
            t_bc[p] = f"type inletOutlet; inletValue uniform {t_in:g}; value uniform {t_in:g};"
            prgh_bc[p] = f"type fixedValue; value uniform {P_REF:g};"
        else:
            u_bc[p] = "type noSlip;"
            t_bc[p] = coupled("fluidThermo") if "_to_" in p else "type zeroGradient;"
            prgh_bc[p] = f"type fixedFluxPressure; value uniform {P_REF:g};"
    field(f"0/{fluid}/U", "volVectorField", "[0 1 -1 0 0 0 0]", "(0 0 0)", u_bc)
    field(f"0/{fluid}/T", "volScalarField", "[0 0 0 1 0 0 0]", f"{t_in:g}", t_bc)
    field(f"0/{fluid}/p_rgh", "volScalarField", "[1 -1 -2 0 0 0 0]", f"{P_REF:g}", prgh_bc)
    field(
        f"0/{fluid}/p",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        f"{P_REF:g}",
        {p: f"type calculated; value uniform {P_REF:g};" for p in fl_patches},
    )
    for solid in solids:
        bcs = {}
        for p in patch_names(mesh_root, solid):
            if p == "heated":
                bcs[p] = (
                    f"type externalWallHeatFluxTemperature; mode power; Q {design.power_w * scale**2:.10g}; "
                    f"kappaMethod solidThermo; value uniform {t_in:g};"
                )
            elif "_to_" in p:
                bcs[p] = coupled("solidThermo")
            else:
                bcs[p] = "type zeroGradient;"
        field(f"0/{solid}/T", "volScalarField", "[0 0 0 1 0 0 0]", f"{t_in:g}", bcs)
        field(
            f"0/{solid}/p",
            "volScalarField",
            "[1 -1 -2 0 0 0 0]",
            f"{P_REF:g}",
            {p: f"type calculated; value uniform {P_REF:g};" for p in patch_names(mesh_root, solid)},
        )
    init = None
    if s["init"]:
        init = init_from_simplefoam(case, mesh_root / f"simpleFoam_{s['init']}_np1", fluid, rho, scale)
    # the mapped interfaces of splitMeshRegions carry their own sampling; walls need no change
    return {
        "init": init,
        "frozen": bool(s["frozen"]),
        "fluid": fluid,
        "solids": solids,
        "rho": rho,
        "cp": cp,
        "mu": mu,
        "k_fluid": k_f,
        "k_copper": k_cu,
        "t_in_k": t_in,
        "scale": scale,
    }


def _list(values: np.ndarray) -> str:
    if values.ndim == 2:
        body = "\n".join(f"({a:.12g} {b:.12g} {c:.12g})" for a, b, c in values)
        return f"nonuniform List<vector> {len(values)}\n(\n{body}\n)\n"
    body = "\n".join(f"{v:.12g}" for v in values)
    return f"nonuniform List<scalar> {len(values)}\n(\n{body}\n)\n"


def _set_internal(path: Path, values: np.ndarray) -> None:
    text = path.read_text()
    i = text.index("internalField")
    j = text.index(";", i)
    path.write_text(text[:i] + "internalField " + _list(values) + text[j:])


def init_from_simplefoam(case: Path, sf_case: Path, fluid: str, rho: float, scale: float) -> str:
    """Start the coolant from a converged simpleFoam run on the same fluid mesh (same cell and
    face order): U, p_rgh = p = ρ p_kinematic + P_REF, and the mass fluxes ρ φ (areas × scale²)."""
    if not sf_case.exists():
        raise FileNotFoundError(f"run corpus_simplefoam first: {sf_case}")
    last = foam.time_dirs(sf_case)[-1]
    u, _ = foam.read_field(sf_case / last / "U")
    p_kin, _ = foam.read_field(sf_case / last / "p")
    p_abs = np.atleast_1d(np.asarray(p_kin, dtype=float)) * rho + P_REF
    _set_internal(case / "0" / fluid / "U", np.asarray(u, dtype=float))
    for name in ("p_rgh", "p"):
        _set_internal(case / "0" / fluid / name, p_abs)
    phi, phi_b = foam.read_field(sf_case / last / "phi")
    factor = rho * scale**2
    patches = []
    for name, entries in phi_b.items():
        v = entries.get("value")
        arr = np.atleast_1d(np.asarray(v if v is not None else 0.0, dtype=float)) * factor
        patches.append(
            f"    {name} {{ type calculated; value {_list(arr) if arr.size > 1 else f'uniform {arr[0]:.12g}'}; }}"
        )
    foam.write_file(
        case,
        f"0/{fluid}/phi",
        "surfaceScalarField",
        f"dimensions [1 0 -1 0 0 0 0];\ninternalField {_list(np.atleast_1d(np.asarray(phi, dtype=float)) * factor)};\n"
        "boundaryField\n{\n" + "\n".join(patches) + "\n}\n",
    )
    log = next(iter(sf_case.glob("log.simpleFoam.np*")), None)
    converged = log is not None and "SIMPLE solution converged" in log.read_text()
    return f"{sf_case.name} time {last} ({'converged' if converged else 'NOT converged'})"


def analyse(case: Path, plate: str, info: dict[str, Any]) -> dict[str, Any]:
    design = design_of(plate)
    last = foam.time_dirs(case)[-1]
    fluid = info["fluid"]
    out: dict[str, Any] = {"last_time": last}
    t_base, _ = foam.read_field(case / last / hot_region(design) / "T")
    t_base = np.atleast_1d(np.asarray(t_base, dtype=float))
    out["t_base_max_c"] = float(t_base.max()) - 273.15
    out["rth_k_w"] = (float(t_base.max()) - info["t_in_k"]) / design.power_w
    geo = patch_faces(case / "constant" / fluid / "polyMesh")
    p_int, p_b = foam.read_field(case / last / fluid / "p")
    u_int, u_b = foam.read_field(case / last / fluid / "U")
    t_int, t_b = foam.read_field(case / last / fluid / "T")
    p_int = np.atleast_1d(np.asarray(p_int, dtype=float))
    u_int = np.asarray(u_int, dtype=float)
    t_int = np.atleast_1d(np.asarray(t_int, dtype=float))
    _, phi_b = foam.read_field(case / last / fluid / "phi")

    def faces(name: str, internal: np.ndarray, bnd: dict, width: int) -> np.ndarray:
        own = geo[name][1]
        v = bnd[name].get("value")
        if v is None:
            return internal[own]
        arr = np.asarray(v, dtype=float)
        return np.broadcast_to(arr, (len(own), 3) if width == 3 else (len(own),))

    means = {}
    for name in (*design.flow_lpm, "outlet"):
        a_vec = geo[name][0]
        a = np.linalg.norm(a_vec, axis=1)
        pf = faces(name, p_int, p_b, 1)
        uf = faces(name, u_int, u_b, 3)
        tf = faces(name, t_int, t_b, 1)
        # mass fluxes from phi (conservative; the frozen-flow run does not re-evaluate U's patches)
        flux = np.atleast_1d(np.asarray(phi_b[name]["value"], dtype=float)) / info["rho"]
        total = float(np.dot(a, pf + 0.5 * info["rho"] * np.einsum("ij,ij->i", uf, uf)) / a.sum())
        means[name] = (total, float(np.dot(a, pf) / a.sum()), flux, tf)
    first = next(iter(design.flow_lpm))
    if not info["frozen"]:  # frozen: the flow (and its ΔP) is the simpleFoam run's
        out["dp_total_pa"] = means[first][0] - means["outlet"][0]
        out["dp_static_pa"] = means[first][1] - means["outlet"][1]
    flux_out, t_out = means["outlet"][2], means["outlet"][3]
    pos = np.clip(flux_out, 0.0, None)
    t_mixed = float(np.dot(pos, t_out) / pos.sum())
    m_dot = info["rho"] * float(flux_out.sum()) / info["scale"] ** 2
    out["t_out_mixed_c"] = t_mixed - 273.15
    # below the inlet temperature: an unbounded convection scheme (no heat sink in the coolant)
    out["t_fluid_min_c"] = float(t_int.min()) - 273.15
    out["energy_balance"] = m_dot * info["cp"] * (t_mixed - info["t_in_k"]) / design.power_w
    return out


def flow_converged_iteration(log: str) -> int | None:
    """First iteration whose coolant p_rgh and U initial residuals are all below ``TOL``."""
    for it, block in re.findall(r"^Time = (\d+)\n(.*?)(?=^Time = |\Z)", log, re.S | re.M):
        res = {s.field: s.initial for s in foam.solve_lines(block) if s.field in ("p_rgh", "Ux", "Uy", "Uz")}
        if (
            res
            and "p_rgh" in res
            and res["p_rgh"] < TOL["p_rgh"]
            and all(v < TOL["U"] for k, v in res.items() if k.startswith("U"))
        ):
            return int(it)
    return None


def rth_settled(hist: list[tuple[int, float]], t_in_c: float) -> dict[str, int]:
    """Iteration after which the hottest base temperature rise stays within 0.1 % (1 %) of its last value."""
    out: dict[str, int] = {}
    if not hist:
        return out
    final = hist[-1][1] - t_in_c
    for tol, key in ((1e-3, "rth_settled_0p1pct_iteration"), (1e-2, "rth_settled_1pct_iteration")):
        it = hist[0][0]
        for i, v in hist:
            if abs(v - t_in_c - final) > tol * abs(final):
                it = i + 10
        out[key] = it
    return out


def region_h_residuals(log: str) -> dict[str, float]:
    """The first h initial residual of each region in the last iteration of the log."""
    out = {}
    pattern = (
        r"Solving for (?:fluid|solid) region (\w+)\n(.*?)(?=Solving for (?:fluid|solid) region|ExecutionTime)"
    )
    for m in re.finditer(pattern, log, re.S):
        hs = [s.initial for s in foam.solve_lines(m.group(2)) if s.field == "h"]
        if hs:
            out[m.group(1)] = hs[0]
    return out


def tmax_history(case: Path) -> list[tuple[int, float]]:
    files = sorted((case / "postProcessing").glob("**/tmax_base/*/volFieldValue.dat"))
    if not files:
        return []
    out = []
    for line in files[0].read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        t, v = line.split()[:2]
        out.append((int(float(t)), float(v) - 273.15))
    return out


def run(
    plate: str,
    target_cells: int,
    cells: str,
    setting: str,
    *,
    nprocs: int = 1,
    max_iter: int = 4000,
    timeout: float | None = None,
    root: Path | None = None,
    scale: float = SCALE,
) -> dict[str, Any]:
    base = root or cache_dir("openfoam", "corpus")
    mesh_root = base / f"{plate}_{cells}_{target_cells}"
    mesh_root.mkdir(parents=True, exist_ok=True)
    mesh = make_mesh(plate, target_cells, cells, mesh_root)
    case = (
        mesh_root / f"cht_{setting}_np{nprocs}"
        if scale == SCALE
        else mesh_root / f"cht_{setting}_np{nprocs}_scale{scale:g}"
    )
    info = write_case(case, mesh_root, plate, setting, max_iter, scale)
    if nprocs > 1:
        foam.write_decompose_dict(case, nprocs)
        for region in (info["fluid"], *info["solids"]):
            (case / "system" / region / "decomposeParDict").write_text(
                (case / "system" / "decomposeParDict").read_text()
            )
        foam.run_util(case, ["decomposePar", "-allRegions", "-force"], log_name="decomposePar")
    load_before = os.getloadavg()[0]
    try:
        timed, log = foam.run_solver(case, "chtMultiRegionSimpleFoam", nprocs, timeout=timeout)
        error = ""
    except RuntimeError as err:
        log = (case / f"log.chtMultiRegionSimpleFoam.np{nprocs}").read_text()
        timed = None
        error = str(err).splitlines()[0][:200]
        fatal = re.search(r"(FOAM FATAL.*?\n.*?\n.*?\n)", log, re.S)
        if fatal:
            error += " | " + " ".join(fatal.group(1).split())[:300]
    lines = foam.solve_lines(log)
    iters = len(re.findall(r"^Time = \d+", log, re.M))
    row: dict[str, Any] = {
        "plate": plate,
        "target_cells": target_cells,
        "cells_kind": cells,
        "setting": setting,
        "settings": SETTINGS[setting],
        "scale": scale,
        "np": nprocs,
        "iterations": iters,
        # runTimeControl ends the run before max_iter once every condition holds
        "converged": timed is not None and iters < max_iter,
        "error": error,
        "wall_s": timed.wall_s if timed else float("nan"),
        "max_rss_mb": timed.max_rss_mb if timed else float("nan"),
        "tree_rss_mb": timed.extra.get("tree_rss_mb", float("nan")) if timed else float("nan"),
        "clock_s": foam.execution_times(log)[1],
        "load_1min": [load_before, os.getloadavg()[0]],
        "tolerances": TOL,
    }
    # last initial residuals: fluid p_rgh, U (max component), fluid h, solid h (in region order)
    for fld in ("p_rgh", "Ux", "Uy", "Uz"):
        fl = [s.initial for s in lines if s.field == fld]
        row[f"res_{fld}"] = fl[-1] if fl else float("nan")
    # the first h solve of each region in the last iteration (solids solve twice: one
    # non-orthogonal corrector)
    row["res_h_last_iteration"] = region_h_residuals(log)
    row["flow_converged_iteration"] = flow_converged_iteration(log)
    row["res_p_rgh_first10"] = [s.initial for s in lines if s.field == "p_rgh"][:10]
    procs = sorted(case.glob("processor*"))
    if timed and procs:
        foam.run_util(case, ["reconstructPar", "-allRegions", "-latestTime"], log_name="reconstructPar")
    if foam.time_dirs(case)[-1] != "0":
        try:
            row.update(analyse(case, plate, info))
        except (OSError, ValueError, KeyError, AssertionError) as err:
            row["analyse_error"] = repr(err)[:200]
    hist = tmax_history(case)
    row["t_base_max_history_c"] = hist[-20:]
    if hist:
        # spread of the hottest base temperature rise over the last 10 % of the run (a stalled run's R_th)
        tail = [v for i, v in hist if i >= 0.9 * hist[-1][0]]
        row["rth_last10pct_rel_change"] = (max(tail) - min(tail)) / (hist[-1][1] - info["t_in_k"] + 273.15)
    row.update(rth_settled(hist, info["t_in_k"] - 273.15))
    row["properties"] = {k: v for k, v in info.items() if k not in ("fluid", "solids")}
    row["mesh"] = mesh
    row["case_dir"] = str(case)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description="chtMultiRegionSimpleFoam on a corpus plate (issue 16)")
    ap.add_argument("--plate", default="serpentine")
    ap.add_argument("--target-cells", type=float, default=5e4)
    ap.add_argument("--cells", default="tetra")
    ap.add_argument("--settings", default="upwind")
    ap.add_argument("--np", default="1")
    ap.add_argument("--max-iter", type=int, default=4000)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--scale", type=float, default=SCALE, help="length scale of the solved case (1: metres)")
    ap.add_argument("--json", help="add the rows to this JSON reference file")
    args = ap.parse_args()
    print_header(f"chtMultiRegionSimpleFoam on the corpus (OpenFOAM {foam.foam_version()})")
    for setting in args.settings.split(","):
        for nprocs in (int(n) for n in args.np.split(",")):
            r = run(
                args.plate,
                int(args.target_cells),
                args.cells,
                setting,
                nprocs=nprocs,
                max_iter=args.max_iter,
                timeout=args.timeout,
                scale=args.scale,
            )
            print(
                f"{args.plate} {args.cells} {int(args.target_cells)} {setting} np{nprocs}: converged {r['converged']} "
                f"in {r['iterations']} it., wall {r['wall_s']:.1f} s, {r['tree_rss_mb']:.0f} MB, "
                f"R_th {r.get('rth_k_w', float('nan')):.5f} K/W, dP {r.get('dp_total_pa', float('nan')):.1f} Pa, "
                f"balance {r.get('energy_balance', float('nan')):.4f}, res p_rgh {r['res_p_rgh']:.1e} "
                f"h {r['res_h_last_iteration']} {r['error']}",
                flush=True,
            )
            if args.json:
                path = Path(args.json)
                data = json.loads(path.read_text()) if path.exists() else {"runs": []}
                key = ("plate", "target_cells", "cells_kind", "setting", "np")
                row = {k: v for k, v in r.items() if k != "case_dir"}
                data["openfoam_version"] = foam.foam_version()
                data["runs"] = [
                    x for x in data["runs"] if tuple(x[k] for k in key) != tuple(row[k] for k in key)
                ] + [row]
                path.write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    main()
