"""The bundled demonstration: a GPU on a liquid microchannel cold plate.

An H100-class die (700 W on 28.5 × 28.5 mm of silicon) sits on a thermal interface material
under a copper lid, on the copper base of a straight-microchannel cold plate. PG25 (the
datacenter default) enters at 35 °C and 1.5 L/min; flow and temperature are solved together
(conjugate heat transfer, properties following the temperature). A second TIM layer between lid
and cold plate is a contact resistance of 5 mm²·K/W. ``conduction_case`` keeps the earlier
conduction-only stack (convective coolant side) for machines without time for a flow solve.
"""

from __future__ import annotations

from pathlib import Path

from rackflow.case import Case
from rackflow.mesh import Mesh, load_mesh
from rackflow.result import Result

MESH_NAME = "coldplate_microchannel.msh"
STACK_MESH_NAME = "gpu_stack.msh"
COOLANT = "PG25"
FLOW_LPM = 1.5
INLET_C = 35.0
DIE_POWER_W = 700.0
COOLANT_HTC_W_M2K = 15_000.0
COOLANT_C = 35.0
LID_TO_PLATE_RESISTANCE_M2K_W = 5e-6


def find_mesh(cache: Path, name: str = MESH_NAME) -> Path:
    """The bundled mesh from a source checkout, or one generated with gmsh into ``cache``."""
    for root in (Path.cwd(), *Path(__file__).resolve().parents):
        candidate = root / "meshes" / name
        if candidate.exists():
            return candidate
    cached = cache / name
    if not cached.exists():
        from rackflow.meshing import gpu_stack, microchannel_coldplate

        cache.mkdir(parents=True, exist_ok=True)
        (microchannel_coldplate if name == MESH_NAME else gpu_stack)(cached)
    return cached


def build_case(mesh: Mesh) -> Case:
    """The demonstration case on the microchannel cold-plate mesh (die, tim, lid, base, channels)."""
    case = Case(mesh)
    case.solid("die", material="silicon", power_w=DIE_POWER_W)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    case.fluid("channels", coolant=COOLANT)
    case.contact("lid", "base", resistance_m2k_w=LID_TO_PLATE_RESISTANCE_M2K_W)
    case.inlet("inlet", flow_lpm=FLOW_LPM, temperature_c=INLET_C)
    case.outlet("outlet", pressure_pa=0.0)
    return case


def conduction_case(mesh: Mesh) -> Case:
    """The conduction-only stack (regions die, tim, lid, base; convective coolant side)."""
    case = Case(mesh)
    case.solid("die", material="silicon", power_w=DIE_POWER_W)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    case.contact("lid", "base", resistance_m2k_w=LID_TO_PLATE_RESISTANCE_M2K_W)
    case.convective("coolant_side", htc_w_m2k=COOLANT_HTC_W_M2K, ambient_c=COOLANT_C)
    return case


def run(out: Path, render: bool = True, threads: int | None = None) -> Result:
    """Solve the demo, print the summary, write ``demo.vtu`` (and ``demo.png``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    mesh = load_mesh(find_mesh(out / ".cache"))
    case = build_case(mesh)
    result = case.solve(threads=threads)
    print(result.summary())
    vtu = result.save(out / "demo.vtu")
    print(f"\nwrote {vtu}")
    if render:
        png = result.render("temperature", clip="y", path=out / "demo.png")
        print(f"wrote {png}")
    return result
