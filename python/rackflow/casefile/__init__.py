"""Case files: a TOML description that says everything the Python API says.

A case file is data. Loading one never executes code: it is parsed with :mod:`tomllib`,
checked against the schema below, and turned into :class:`~rackflow.case.Case` calls. Every
problem is collected and reported at once as a :class:`~rackflow.errors.CaseFileError` whose
message names each offending key (and its line when it can be found cheaply).

Layout
------
.. code-block:: toml

    [mesh]
    path = "gpu_stack.msh"          # relative to the case file
    # or: generator = "coldplate" with [mesh.params] channels = 40, ...

    [materials.my_copper]           # optional user materials, referred to by name
    conductivity_w_mk = [[20.0, 398.0], [100.0, 393.0]]   # a number or (°C, W/m·K) pairs

    [solids.die]
    material = "silicon"            # library name, a [materials] name, or an inline table
    power_w = 700.0

    [[contacts]]
    between = ["lid", "base"]
    resistance_m2k_w = 5e-6

    [boundaries.coolant_side]
    kind = "convective"             # fixed_temperature | heat_flux | convective | adiabatic
    htc_w_m2k = 15000.0
    ambient_c = 35.0

    [fluids.channels]               # coolant regions (conjugate heat transfer)
    coolant = "PG25"                # a library name (rackflow.coolants.known_coolants())
    turbulence = "auto"             # auto | laminar | k-omega-sst
    thermal_wall_function = "kader" # kader | jayatilleke (turbulent walls' temperature law)
    wall_treatment = "blended"      # blended | switching | blended-sublayer (turbulent walls)
    # or an inline constant-property table:
    # coolant = { name = "oil", density_kg_m3 = 850.0, viscosity_pa_s = 0.01,
    #             conductivity_w_mk = 0.13, specific_heat_j_kgk = 2000.0 }

    [boundaries.inlet]
    kind = "inlet"                  # inlet | outlet | wall | symmetry (flow patches)
    flow_lpm = 1.5                  # or mass_flow_kg_s, or velocity_m_s
    temperature_c = 35.0
    turbulence_intensity = 0.05     # k-omega-sst inflow; length_scale_m defaults to 0.07 D_h

    [boundaries.outlet]
    kind = "outlet"
    pressure_pa = 0.0

    [boundaries.lid_top]
    kind = "wall"
    velocity_m_s = [0.1, 0.0, 0.0]  # optional: a moving wall

    [solver]
    tolerance = 1e-10
    convection = "auto"             # flow settings: convection, velocity_relaxation,
                                    # velocity/pressure/mass_tolerance, flow_max_iterations

    [sweep]
    mode = "grid"                   # grid | points | latin_hypercube
    [sweep.axes]
    "htc_w_m2k.coolant_side" = [5000.0, 10000.0, 20000.0]

Time-varying inputs
-------------------
Any power, heat flux, flow rate, inlet, fixed or ambient temperature may be a profile instead of a
number (:class:`~rackflow.profile.Profile`): breakpoints inline, or a CSV log read with
:meth:`Profile.from_csv <rackflow.profile.Profile.from_csv>` (the path relative to the case
file). A ``[transient]`` table makes ``rackflow run`` solve in time
(:meth:`Case.solve_transient <rackflow.case.Case.solve_transient>`).

.. code-block:: toml

    [solids.die]
    material = "silicon"
    power_w = { time_s = [0.0, 1.0, 1.2], value = [140.0, 140.0, 700.0] }   # interpolation = "step"
    # or: power_w = { csv = "gpu0.csv", time_column = "timestamp", value_column = "power.draw [W]",
    #                 where = { index = 0 } }

    [transient]
    end_time_s = 60.0               # required
    time_step_s = 0.1               # optional: fixed steps (default adaptive)
    step_tolerance_k = 0.01         # adaptive steps' error allowance
    output_times_s = [0.0, 30.0, 60.0]   # or output_interval_s = 1.0 (default: 101 times)
    initial_temperature_c = 35.0    # optional: a uniform start (default: the steady solution at t = 0)

The same dictionary form (:func:`case_to_dict`) describes a case for sweep hashing and for
shipping cases to worker processes as JSON.

Modules
-------
* :mod:`~rackflow.casefile.schema`: the keys each table accepts, :class:`CaseFile`, the problem
  list, the ``[sweep]`` and ``[transient]`` checks.
* :mod:`~rackflow.casefile.serialise`: case → dictionary → TOML text (:func:`case_to_dict`,
  :func:`dumps`, :func:`to_toml`).
* :mod:`~rackflow.casefile.load`: TOML text → checked dictionary → case, with mesh loading
  (:func:`loads`, :func:`load`, :func:`case_from_dict`, :func:`from_toml`).
* :mod:`~rackflow.casefile.digest`: stable digests of arrays, meshes and descriptions.

Everything is importable from ``rackflow.casefile`` itself.
"""

from __future__ import annotations

from rackflow.casefile.digest import array_digest, description_digest, mesh_digest
from rackflow.casefile.load import available_generators, case_from_dict, from_toml, load, loads
from rackflow.casefile.schema import (
    BOUNDARY_KEYS,
    COOLANT_KEYS,
    COOLANT_PROPERTIES,
    INLET_RATES,
    MATERIAL_KEYS,
    PROFILE_BOUNDARY_KEYS,
    PROFILE_CSV_KEYS,
    PROFILE_KEYS,
    SCHEMA_VERSION,
    SOLVER_CHOICES,
    SOLVER_KEYS,
    SWEEP_MODES,
    TOP_KEYS,
    TRANSIENT_KEYS,
    CaseFile,
    _check_sweep,
    _check_transient,
    _Problems,
    transient_keywords,
)
from rackflow.casefile.serialise import case_to_dict, dumps, to_toml

__all__ = [
    "BOUNDARY_KEYS",
    "COOLANT_KEYS",
    "COOLANT_PROPERTIES",
    "INLET_RATES",
    "MATERIAL_KEYS",
    "PROFILE_BOUNDARY_KEYS",
    "PROFILE_CSV_KEYS",
    "PROFILE_KEYS",
    "SCHEMA_VERSION",
    "SOLVER_CHOICES",
    "SOLVER_KEYS",
    "SWEEP_MODES",
    "TOP_KEYS",
    "TRANSIENT_KEYS",
    "CaseFile",
    "_Problems",
    "_check_sweep",
    "_check_transient",
    "array_digest",
    "available_generators",
    "case_from_dict",
    "case_to_dict",
    "description_digest",
    "dumps",
    "from_toml",
    "load",
    "loads",
    "mesh_digest",
    "to_toml",
    "transient_keywords",
]
