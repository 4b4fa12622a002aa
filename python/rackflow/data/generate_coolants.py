"""Regenerate ``coolants.json``, rackflow's built-in coolant property tables.

Run once with CoolProp installed (``python generate_coolants.py``); the JSON is committed and
rackflow never needs CoolProp at run time. Sources, as implemented in CoolProp 8.0:

* water: HEOS backend at 101.325 kPa; IAPWS-95 (Wagner & Pruss 2002), viscosity IAPWS 2008
  (Huber et al. 2009), conductivity IAPWS 2011 (Huber et al. 2012); saturation pressure
  from the same equation of state.
* PGxx / EGxx: CoolProp incompressible mixtures ``INCOMP::MPG[x]`` / ``INCOMP::MEG[x]``,
  Melinder (2010), *Properties of Secondary Working Fluids for Indirect Systems*, IIR.
* HFE7100 (``INCOMP::HFE2``) and SylthermXLT (``INCOMP::XLT``): CoolProp's incompressible
  fits of the manufacturers' data sheets (3M Novec 7100; Dow Syltherm XLT).
"""

from __future__ import annotations

import json
from pathlib import Path

import CoolProp
import numpy as np
from CoolProp.CoolProp import PropsSI

P_ATM = 101_325.0


def _table(fluid: str, t_min_c: float, t_max_c: float, step: float = 1.0) -> dict:
    t_c = np.arange(t_min_c, t_max_c + 1e-9, step)
    t_k = t_c + 273.15
    props = {
        "density_kg_m3": "D",
        "viscosity_pa_s": "V",
        "conductivity_w_mk": "L",
        "specific_heat_j_kgk": "C",
    }
    out: dict = {"temperature_c": [round(float(t), 4) for t in t_c]}
    for key, code in props.items():
        out[key] = [float(f"{PropsSI(code, 'T', t, 'P', P_ATM, fluid):.7g}") for t in t_k]
    return out


def main() -> None:
    data: dict = {
        "generator": f"generate_coolants.py with CoolProp {CoolProp.__version__}",
        "coolants": {},
    }
    c = data["coolants"]
    water = _table("Water", 1.0, 99.0)
    sat_t = np.arange(1.0, 200.01, 1.0)
    water["saturation"] = {
        "temperature_c": [float(t) for t in sat_t],
        "pressure_pa": [
            float(f"{PropsSI('P', 'T', t + 273.15, 'Q', 0, 'Water'):.7g}") for t in sat_t
        ],
    }
    c["water"] = {
        **water,
        "freezing_point_c": 0.0,
        "max_temperature_c": 99.0,
        "water_mass_fraction": 1.0,
        "source": "IAPWS-95/2008/2011 via CoolProp HEOS, 101.325 kPa",
    }
    for prefix, base, molar_mass in (("PG", "MPG", 76.09), ("EG", "MEG", 62.07)):
        for pct in range(10, 61, 5):
            x = pct / 100.0
            fluid = f"INCOMP::{base}[{x}]"
            t_freeze = PropsSI("T_freeze", "T", 300.0, "P", P_ATM, fluid) - 273.15
            t_lo = float(np.ceil(t_freeze))
            c[f"{prefix}{pct}"] = {
                **_table(fluid, t_lo, 100.0),
                "freezing_point_c": round(float(t_freeze), 3),
                "max_temperature_c": 100.0,
                "water_mass_fraction": 1.0 - x,
                "glycol_molar_mass_g_mol": molar_mass,
                "source": f"Melinder (2010) via CoolProp {fluid}",
            }
    c["HFE7100"] = {
        **_table("INCOMP::HFE2", -80.0, 60.0),
        "freezing_point_c": -80.0,
        "max_temperature_c": 60.0,
        "normal_boiling_point_c": 61.0,
        "source": "3M Novec 7100 data sheet via CoolProp INCOMP::HFE2",
    }
    c["SylthermXLT"] = {
        **_table("INCOMP::XLT", -98.0, 258.0, step=2.0),
        "freezing_point_c": -98.0,
        "max_temperature_c": 258.0,
        "source": "Dow Syltherm XLT data sheet via CoolProp INCOMP::XLT",
    }
    path = Path(__file__).with_name("coolants.json")
    path.write_text(json.dumps(data, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
