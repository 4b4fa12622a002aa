"""Network templates: a rack of servers and cold plates, a hall of racks on a facility loop.

Each template is a function of the :class:`~rackflow.network.Network` class (``cls``) so that
``Network.rack(...)`` and ``Network.hall(...)`` build through it and subclasses get their own
type back; this module does not import the builder.

The hall is laid out as such halls are built (see ``docs``' domain notes): racks in rows,
rows in pods, every header sized by a velocity limit, reverse return at every level, each
rack's in-rack CDU on the facility loop through its primary branch, a pump per pod.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant, get_coolant
from rackflow.errors import NetworkError
from rackflow.network.edges import (
    LPM,
    ColdPlate,
    Loss,
    Pipe,
    Pump,
    _finite,
    default_cold_plate_model,
)
from rackflow.profile import Profile

if TYPE_CHECKING:
    from rackflow.network.builder import Network

#: Approximate inner diameters [m] of steel pipe, DN15–DN600 Schedule 40 (ASME B36.10M),
#: DN700–DN1200 standard wall: the sizes a header is chosen from.
PIPE_INNER_DIAMETERS_M = (
    0.0158,
    0.0209,
    0.0266,
    0.0351,
    0.0409,
    0.0525,
    0.0627,
    0.0779,
    0.1023,
    0.1282,
    0.1541,
    0.2027,
    0.2545,
    0.3033,
    0.3334,
    0.3810,
    0.4286,
    0.4778,
    0.5746,
    0.6914,
    0.7938,
    0.8954,
    0.9970,
    1.2000,
)


def pipe_size_for(flow_m3_s: float, max_velocity_m_s: float) -> float:
    """The smallest inner diameter [m] of :data:`PIPE_INNER_DIAMETERS_M` that carries
    ``flow_m3_s`` at no more than ``max_velocity_m_s``; beyond DN1200 the next 0.1 m."""
    need = math.sqrt(4.0 * flow_m3_s / (math.pi * max_velocity_m_s))
    for d in PIPE_INNER_DIAMETERS_M:
        if d >= need:
            return d
    return math.ceil(need / 0.1) * 0.1


@dataclass(frozen=True)
class _RackParts:
    """The components of one rack, built once and shared by every rack of a hall."""

    servers: int
    plates: int
    pitch: float
    reverse: bool
    manifold: Pipe
    riser: Pipe
    qd: Loss
    hose: Pipe
    tube: Pipe
    plate: ColdPlate

    @classmethod
    def build(
        cls,
        *,
        servers: int,
        plates: int,
        model: ColdPlateModel,
        power_w: float | Profile,
        heat_capacity_j_k: float | None,
        reverse: bool,
        manifold_d: float,
        pitch: float,
        hose_d: float,
        hose_l: float,
        qd_k: float,
        branch_d: float,
        branch_l: float,
    ) -> _RackParts:
        if not (isinstance(servers, int) and isinstance(plates, int)) or servers < 1 or plates < 1:
            raise NetworkError(
                f"rack: servers and plates_per_server must be integers >= 1, got {servers}, {plates}"
            )
        _finite(
            "rack",
            power_w=power_w,
            manifold_diameter_m=manifold_d,
            server_pitch_m=pitch,
            hose_diameter_m=hose_d,
            hose_length_m=hose_l,
            qd_k=qd_k,
            branch_diameter_m=branch_d,
            branch_length_m=branch_l,
        )
        if not isinstance(model, ColdPlateModel):
            raise NetworkError(f"rack: model must be a ColdPlateModel, got {type(model).__name__}")
        return cls(
            servers=servers,
            plates=plates,
            pitch=pitch,
            reverse=reverse,
            manifold=Pipe(manifold_d, pitch),
            riser=Pipe(manifold_d, 0.5 + (pitch * servers if reverse else 0.3)),
            qd=Loss(k=qd_k, diameter_m=hose_d),
            hose=Pipe(hose_d, hose_l),
            tube=Pipe(branch_d, branch_l),
            plate=ColdPlate(model, power_w, heat_capacity_j_k),
        )


def rack(
    cls: type[Network],
    servers: int = 8,
    plates_per_server: int = 8,
    *,
    model: ColdPlateModel | None = None,
    power_w: float | Profile = 700.0,
    coolant: str | Coolant = "PG25",
    supply_c: float = 32.0,
    approach_k: float = 3.0,
    reverse_return: bool = False,
    pump_curve_lpm_pa: Sequence[Sequence[float]] | None = None,
    manifold_diameter_m: float = 0.035,
    server_pitch_m: float = 0.178,
    hose_diameter_m: float = 0.0127,
    hose_length_m: float = 1.0,
    qd_k: float = 2.0,
    branch_diameter_m: float = 0.0064,
    branch_length_m: float = 0.4,
    plate_heat_capacity_j_k: float | None = None,
) -> Network:
    """An N-server x M-plate rack: in-rack CDU and pump at the bottom, vertical supply and
    return manifolds at the rear, per-server hoses with quick disconnects (``qd_in{s}``,
    ``qd_out{s}``) and a tray manifold feeding the plates (``gpu{s}_{j}``) in parallel.
    ``reverse_return`` takes the return out at the top (equal path lengths). The CDU
    (``cdu``) holds its outlet at ``supply_c + approach_k``; ``plate_heat_capacity_j_k`` is the
    plates' lumped heat capacity for :meth:`~rackflow.network.Network.simulate`."""
    net = cls(coolant, name=f"rack {servers}x{plates_per_server}")
    parts = _RackParts.build(
        servers=servers,
        plates=plates_per_server,
        model=model or default_cold_plate_model(),
        power_w=power_w,
        heat_capacity_j_k=plate_heat_capacity_j_k,
        reverse=reverse_return,
        manifold_d=manifold_diameter_m,
        pitch=server_pitch_m,
        hose_d=hose_diameter_m,
        hose_l=hose_length_m,
        qd_k=qd_k,
        branch_d=branch_diameter_m,
        branch_l=branch_length_m,
    )
    _add_rack(net, "", parts, origin=(0.0, 0.0), positions=True)
    net.pump(
        "cdu_out",
        "s0",
        curve_lpm_pa=pump_curve_lpm_pa or _rack_pump_curve(servers * plates_per_server),
        name="pump",
    )
    net.cdu("cdu_in", "cdu_out", supply_c=supply_c, approach_k=approach_k, name="cdu")
    return net


def hall(
    cls: type[Network],
    racks: int = 100,
    *,
    servers: int = 8,
    plates_per_server: int = 8,
    model: ColdPlateModel | None = None,
    power_w: float | Profile = 700.0,
    coolant: str | Coolant = "PG25",
    racks_per_row: int = 25,
    rows_per_pod: int = 10,
    facility_supply_c: float | Profile = 32.0,
    rack_supply_c: float | Profile | None = 35.0,
    cdu_ua_w_k: float = 30_000.0,
    cdu_control: Mapping[str, Any] | None = None,
    plant_control: Mapping[str, Any] | None = None,
    facility_delta_t_k: float = 8.0,
    cdu_primary_pressure_drop_pa: float = 50e3,
    max_velocity_m_s: float = 2.5,
    rack_pitch_m: float = 0.6,
    row_pitch_m: float = 3.0,
    pod_gap_m: float = 6.0,
    reverse_return: bool = True,
    plate_heat_capacity_j_k: float | None = None,
    positions: bool | None = None,
) -> Network:
    """A hall of identical racks on one facility loop, laid out as such halls are built.

    * **Racks** as :func:`rack` (``servers`` × ``plates_per_server`` plates of ``power_w``,
      in-rack CDU and pump), named ``r{i}/...``.
    * **Rows** of ``racks_per_row`` racks (pitch ``rack_pitch_m``) on a row supply and return
      header (``row{k}/sup{i}``, ``row{k}/ret{i}``); each rack CDU's primary side
      (``r{i}/cdu_primary``, sized for ``cdu_primary_pressure_drop_pa`` at its design flow)
      hangs between them on DN50 branches.
    * **Pods** of ``rows_per_pod`` rows (pitch ``row_pitch_m``) on pod headers
      (``pod{p}/sup{j}``, ``pod{p}/ret{j}``), each fed by its own pump (``pod{p}/pump``, a curve
      through the pod's design flow at the estimated loop head).
    * **Mains** (``main/sup{p}``, ``main/ret{p}``) from the plant (``plant``: a CDU holding the
      facility supply at ``facility_supply_c``).

    Design flow: every rack's facility flow carries its heat at ``facility_delta_t_k``; each
    header is the smallest steel size (:data:`PIPE_INNER_DIAMETERS_M`) that keeps its largest
    flow at or below ``max_velocity_m_s``. ``reverse_return`` (default) takes every return out
    at the far end of its supply (equal path lengths, even flows).

    Rack CDUs hold their outlet at ``rack_supply_c`` (``None``: unregulated ε-NTU exchangers),
    limited by ``cdu_ua_w_k`` against the facility water (a three-way valve on a constant
    primary flow). ``cdu_control`` and ``plant_control`` are :meth:`Network.cdu` control keywords
    (``{"control": "pi", "kp_w_k": ..., "ki_w_k_s": ..., "heat_capacity_j_k": ...}``) for
    :meth:`~rackflow.network.Network.simulate`. ``positions`` (default: up to 100 racks)
    records drawing positions.
    """
    _finite(
        "hall",
        facility_supply_c=facility_supply_c,
        rack_supply_c=rack_supply_c,
        cdu_ua_w_k=cdu_ua_w_k,
        facility_delta_t_k=facility_delta_t_k,
        cdu_primary_pressure_drop_pa=cdu_primary_pressure_drop_pa,
        max_velocity_m_s=max_velocity_m_s,
        rack_pitch_m=rack_pitch_m,
        row_pitch_m=row_pitch_m,
        pod_gap_m=pod_gap_m,
    )
    for key, value in (("racks", racks), ("racks_per_row", racks_per_row), ("rows_per_pod", rows_per_pod)):
        if not isinstance(value, int) or value < 1:
            raise NetworkError(f"hall: {key} must be an integer >= 1, got {value!r}")
    for key, value in (
        ("facility_delta_t_k", facility_delta_t_k),
        ("cdu_primary_pressure_drop_pa", cdu_primary_pressure_drop_pa),
        ("max_velocity_m_s", max_velocity_m_s),
        ("cdu_ua_w_k", cdu_ua_w_k),
    ):
        if not value > 0:
            raise NetworkError(f"hall: {key} must be > 0, got {value!r}")
    with _collector_paused():
        return _build_hall(cls, racks, locals())


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector while a template creates its millions of
    (acyclic) objects: the collector's passes over them cost about a tenth of the build."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build_hall(cls: type[Network], racks: int, a: dict[str, Any]) -> Network:
    servers, plates_per_server, model, power_w, coolant = (
        a["servers"],
        a["plates_per_server"],
        a["model"],
        a["power_w"],
        a["coolant"],
    )
    racks_per_row, rows_per_pod, facility_supply_c, rack_supply_c = (
        a["racks_per_row"],
        a["rows_per_pod"],
        a["facility_supply_c"],
        a["rack_supply_c"],
    )
    cdu_ua_w_k, cdu_control, plant_control = a["cdu_ua_w_k"], a["cdu_control"], a["plant_control"]
    facility_delta_t_k, cdu_primary_pressure_drop_pa = (
        a["facility_delta_t_k"],
        a["cdu_primary_pressure_drop_pa"],
    )
    max_velocity_m_s, rack_pitch_m, row_pitch_m, pod_gap_m = (
        a["max_velocity_m_s"],
        a["rack_pitch_m"],
        a["row_pitch_m"],
        a["pod_gap_m"],
    )
    reverse_return, plate_heat_capacity_j_k, positions = (
        a["reverse_return"],
        a["plate_heat_capacity_j_k"],
        a["positions"],
    )
    net = cls(coolant, name=f"hall of {racks} racks")
    draw = racks <= 100 if positions is None else bool(positions)
    parts = _RackParts.build(
        servers=servers,
        plates=plates_per_server,
        model=model or default_cold_plate_model(),
        power_w=power_w,
        heat_capacity_j_k=plate_heat_capacity_j_k,
        reverse=False,
        manifold_d=0.035,
        pitch=0.178,
        hose_d=0.0127,
        hose_l=1.0,
        qd_k=2.0,
        branch_d=0.0064,
        branch_l=0.4,
    )
    n_plates = servers * plates_per_server
    peak_w = (power_w.max() if isinstance(power_w, Profile) else float(power_w)) * n_plates
    t_design = (
        float(facility_supply_c.value[0])
        if isinstance(facility_supply_c, Profile)
        else float(facility_supply_c)
    )
    props = get_coolant(coolant).properties(t_design)
    rho_cp = props["density_kg_m3"] * props["specific_heat_j_kgk"]
    q_rack = max(peak_w, 1.0) / (rho_cp * facility_delta_t_k)  # m³/s of facility water per rack

    # The shared components of every rack's facility branch.
    branch_d = 0.0525  # DN50
    branch = Pipe(branch_d, 2.0)
    v_branch = q_rack / (math.pi * branch_d**2 / 4.0)
    primary = Loss(
        k=cdu_primary_pressure_drop_pa / (0.5 * props["density_kg_m3"] * v_branch**2), diameter_m=branch_d
    )
    rack_pump = Pump(*_curve_si(_rack_pump_curve(n_plates)))

    rows = [list(range(i, min(i + racks_per_row, racks))) for i in range(0, racks, racks_per_row)]
    pods = [rows[i : i + rows_per_pod] for i in range(0, len(rows), rows_per_pod)]
    row_length = racks_per_row * rack_pitch_m
    pod_pitch = rows_per_pod * row_pitch_m + pod_gap_m
    header_d = {"row": 0.0, "pod": 0.0, "main": 0.0}
    head = {"row": 0.0, "pod": 0.0, "main": 0.0}
    main_flow = racks * q_rack
    d_main = pipe_size_for(main_flow, max_velocity_m_s)
    header_d["main"] = d_main
    cdu_args = dict(cdu_control or {})
    for p, pod in enumerate(pods):
        y_pod = p * pod_pitch
        pod_flow = sum(len(row) for row in pod) * q_rack
        d_pod = pipe_size_for(pod_flow, max_velocity_m_s)
        header_d["pod"] = max(header_d["pod"], d_pod)
        pod_segment = Pipe(d_pod, row_pitch_m)
        for j, row in enumerate(pod):
            k = p * rows_per_pod + j
            y_row = y_pod + j * row_pitch_m
            row_flow = len(row) * q_rack
            d_row = pipe_size_for(row_flow, max_velocity_m_s)
            header_d["row"] = max(header_d["row"], d_row)
            row_segment = Pipe(d_row, rack_pitch_m)
            for i, r in enumerate(row):
                x0 = i * rack_pitch_m
                pr = f"r{r}/"
                _add_rack(net, pr, parts, origin=(x0, y_row), positions=draw)
                net.connect(f"{pr}cdu_out", f"{pr}s0", rack_pump, name=f"{pr}pump")
                s, rr = f"row{k}/s{i}", f"row{k}/r{i}"
                net.connect(s, f"{pr}fs", branch, name=f"{pr}primary_supply")
                hx = net.connect(f"{pr}fs", f"{pr}fr", primary, name=f"{pr}cdu_primary")
                net.connect(f"{pr}fr", rr, branch, name=f"{pr}primary_return")
                if rack_supply_c is None:
                    net.cdu(
                        f"{pr}cdu_in", f"{pr}cdu_out", ua_w_k=cdu_ua_w_k, facility_edge=hx, name=f"{pr}cdu"
                    )
                else:
                    net.cdu(
                        f"{pr}cdu_in",
                        f"{pr}cdu_out",
                        setpoint_c=rack_supply_c,
                        ua_w_k=cdu_ua_w_k,
                        facility_edge=hx,
                        name=f"{pr}cdu",
                        **cdu_args,
                    )
                if draw:
                    for node, yy, z in (
                        (s, -0.8, -0.4),
                        (rr, -1.1, -0.6),
                        (f"{pr}fs", -0.3, -0.2),
                        (f"{pr}fr", -0.3, -0.3),
                    ):
                        net.positions[node] = (x0, y_row + yy, z)
                if i > 0:
                    net.connect(f"row{k}/s{i - 1}", s, row_segment, name=f"row{k}/sup{i}")
                    if reverse_return:
                        net.connect(f"row{k}/r{i - 1}", rr, row_segment, name=f"row{k}/ret{i}")
                    else:
                        net.connect(rr, f"row{k}/r{i - 1}", row_segment, name=f"row{k}/ret{i}")
            # the row hangs between the pod headers: supply at its start, return at its far
            # end with reverse return (the pod return header runs along that end)
            row_exit = f"row{k}/r{len(row) - 1}" if reverse_return else f"row{k}/r0"
            feed = Pipe(d_row, 1.0)
            net.connect(f"pod{p}/s{j}", f"row{k}/s0", feed, name=f"row{k}/feed")
            net.connect(row_exit, f"pod{p}/r{j}", feed, name=f"row{k}/drain")
            head["row"] = max(
                head["row"],
                _header_path_drop(d_row, rack_pitch_m, [q_rack] * len(row), reverse_return, props)
                + 2 * _pipe_drop(d_row, 1.0, row_flow, props),
            )
            if draw:
                x_exit = (len(row) - 1) * rack_pitch_m if reverse_return else 0.0
                net.positions[f"pod{p}/s{j}"] = (-1.0, y_row - 0.8, -0.4)
                net.positions[f"pod{p}/r{j}"] = (x_exit + 1.0, y_row - 1.1, -0.6)
            if j > 0:
                net.connect(f"pod{p}/s{j - 1}", f"pod{p}/s{j}", pod_segment, name=f"pod{p}/sup{j}")
                if reverse_return:
                    net.connect(f"pod{p}/r{j - 1}", f"pod{p}/r{j}", pod_segment, name=f"pod{p}/ret{j}")
                else:
                    net.connect(f"pod{p}/r{j}", f"pod{p}/r{j - 1}", pod_segment, name=f"pod{p}/ret{j}")
        head["pod"] = max(
            head["pod"],
            _header_path_drop(d_pod, row_pitch_m, [len(row) * q_rack for row in pod], reverse_return, props)
            + 2 * _pipe_drop(d_pod, pod_gap_m / 2, pod_flow, props),
        )
        # the pod's pump lifts it from the supply main into its supply header
        pod_exit = f"pod{p}/r{len(pod) - 1}" if reverse_return else f"pod{p}/r0"
        pod_feed = Pipe(d_pod, pod_gap_m / 2)
        net.connect(f"main/s{p}", f"pod{p}/pump_in", pod_feed, name=f"pod{p}/feed")
        net.connect(pod_exit, f"main/r{p}", pod_feed, name=f"pod{p}/drain")
        if draw:
            net.positions[f"main/s{p}"] = (-3.0, y_pod - 1.5, -1.0)
            net.positions[f"main/r{p}"] = (row_length + 3.0, y_pod - 1.5, -1.2)
        if p > 0:
            main_segment = Pipe(d_main, pod_pitch)
            net.connect(f"main/s{p - 1}", f"main/s{p}", main_segment, name=f"main/sup{p}")
            if reverse_return:
                net.connect(f"main/r{p - 1}", f"main/r{p}", main_segment, name=f"main/ret{p}")
            else:
                net.connect(f"main/r{p}", f"main/r{p - 1}", main_segment, name=f"main/ret{p}")
    hall_length = (len(pods) - 1) * pod_pitch
    pod_flows = [sum(len(row) for row in pod) * q_rack for pod in pods]
    head["main"] = (
        _header_path_drop(d_main, pod_pitch, pod_flows, reverse_return, props)
        + _pipe_drop(d_main, 10.0 + (hall_length if reverse_return else 0.0), main_flow, props)
        + _pipe_drop(d_main, 10.0, main_flow, props)
    )
    # Loop head at design flow: the rack branch (CDU primary and its hoses) plus the worst path
    # along the row, pod and main headers at their design flows.
    branch_head = cdu_primary_pressure_drop_pa + 2 * _pipe_drop(branch_d, 2.0, q_rack, props)
    loop_head = branch_head + head["row"] + head["pod"] + head["main"]
    for p, pod in enumerate(pods):
        pod_flow = sum(len(row) for row in pod) * q_rack
        curve = [
            (0.0, 1.25 * loop_head),
            (0.5 * pod_flow, 1.18 * loop_head),
            (pod_flow, loop_head),
            (1.5 * pod_flow, 0.55 * loop_head),
            (2.0 * pod_flow, 0.0),
        ]
        net.connect(f"pod{p}/pump_in", f"pod{p}/s0", Pump(*_curve_si_m3(curve)), name=f"pod{p}/pump")
    last = len(pods) - 1
    main_exit = f"main/r{last}" if reverse_return else "main/r0"
    return_leg = Pipe(d_main, 10.0 + (hall_length if reverse_return else 0.0))
    net.connect(main_exit, "plant_in", return_leg, name="main/return")
    plant_args = dict(plant_control or {})
    net.cdu("plant_in", "plant_out", supply_c=facility_supply_c, approach_k=0.0, name="plant", **plant_args)
    net.connect("plant_out", "main/s0", Pipe(d_main, 10.0), name="main/feed")
    if draw:
        net.positions["plant_in"] = (row_length + 3.0, -8.0, -1.2)
        net.positions["plant_out"] = (-3.0, -8.0, -1.0)
    net.design = {
        "rows": len(rows),
        "pods": len(pods),
        "facility_flow_per_rack_lpm": q_rack / LPM,
        "row_header_diameter_m": header_d["row"],
        "pod_header_diameter_m": header_d["pod"],
        "main_header_diameter_m": header_d["main"],
        "loop_head_pa": loop_head,
        "cdu_primary_pressure_drop_pa": cdu_primary_pressure_drop_pa,
    }
    return net


def _pipe_drop(d: float, length: float, flow_m3_s: float, props: Any) -> float:
    """Darcy–Weisbach drop [Pa] with the Swamee–Jain friction factor (smooth steel, 45 µm),
    for sizing estimates only (the solver uses Colebrook)."""
    area = math.pi * d * d / 4.0
    v = flow_m3_s / area
    rho, mu = props["density_kg_m3"], props["viscosity_pa_s"]
    re = rho * v * d / mu
    if re < 2300.0:
        f = 64.0 / max(re, 1e-9)
    else:
        f = 0.25 / math.log10(45e-6 / d / 3.7 + 5.74 / re**0.9) ** 2
    return f * length / d * 0.5 * rho * v * v


def _header_path_drop(
    d: float, segment_m: float, branch_flows: Sequence[float], reverse: bool, props: Any
) -> float:
    """The largest supply + return drop [Pa] along a header pair of diameter ``d`` with
    ``segment_m`` between branches taking ``branch_flows`` (m³/s) each: supply segment ``i``
    (between branches ``i-1`` and ``i``) carries the flow of branches ``i..``; the return
    collects towards its exit, the far end with reverse return, the near end without."""
    q = list(branch_flows)
    n = len(q)
    supply_seg = [0.0] + [_pipe_drop(d, segment_m, sum(q[i:]), props) for i in range(1, n)]
    if reverse:
        return_seg = [0.0] + [_pipe_drop(d, segment_m, sum(q[:i]), props) for i in range(1, n)]
        paths = [sum(supply_seg[: j + 1]) + sum(return_seg[j + 1 :]) for j in range(n)]
    else:
        return_seg = [0.0] + [_pipe_drop(d, segment_m, sum(q[i:]), props) for i in range(1, n)]
        paths = [sum(supply_seg[: j + 1]) + sum(return_seg[: j + 1]) for j in range(n)]
    return max(paths)


def _curve_si(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [q * LPM for q, _ in points], [p for _, p in points]


def _curve_si_m3(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [q for q, _ in points], [p for _, p in points]


def _rack_pump_curve(n_plates: int) -> list[tuple[float, float]]:
    """A variable-speed CDU pump sized for ~1.3 L/min per plate (~25-40 kPa)."""
    q = 1.3 * n_plates
    return [(0.0, 60e3), (0.5 * q, 55e3), (q, 40e3), (1.5 * q, 18e3), (2.0 * q, 0.0)]


def _add_rack(
    net: Network, p: str, parts: _RackParts, *, origin: tuple[float, float], positions: bool
) -> None:
    """Adds one rack's nodes and edges with names prefixed by ``p``: everything but its pump
    and CDU (``{p}cdu_out`` → pump → ``{p}s0``; ``{p}cdu_in`` → CDU → ``{p}cdu_out``)."""
    x0, y0 = origin
    z0 = 0.3  # the CDU sits at the bottom of the rack
    pitch, reverse = parts.pitch, parts.reverse
    node, connect, pos = net.node, net.connect, net.positions
    manifold, qd, hose, tube, plate = parts.manifold, parts.qd, parts.hose, parts.tube, parts.plate
    node(f"{p}cdu_in", elevation_m=0.05)
    node(f"{p}cdu_out", elevation_m=0.05)
    if positions:
        pos[f"{p}cdu_in"] = (x0 + 0.15, y0 + 0.5, 0.05)
        pos[f"{p}cdu_out"] = (x0 + 0.05, y0 + 0.5, 0.05)
    for s in range(parts.servers):
        z = z0 + s * pitch
        sup, ret = f"{p}s{s}", f"{p}r{s}"
        a, b, dist, coll = f"{p}srv{s}_a", f"{p}srv{s}_b", f"{p}srv{s}_in", f"{p}srv{s}_out"
        for nm in (sup, ret, a, b, dist, coll):
            node(nm, elevation_m=z)
        if positions:
            pos[sup] = (x0 + 0.05, y0 + 0.5, z)
            pos[ret] = (x0 + 0.15, y0 + 0.5, z)
            for nm, xx, yy in ((a, 0.05, 0.45), (b, 0.15, 0.45), (dist, 0.05, 0.1), (coll, 0.15, 0.1)):
                pos[nm] = (x0 + xx, y0 + yy, z)
        if s > 0:
            connect(f"{p}s{s - 1}", sup, manifold, name=f"{p}supply{s}")
            if reverse:
                connect(f"{p}r{s - 1}", ret, manifold, name=f"{p}return{s}")
            else:
                connect(ret, f"{p}r{s - 1}", manifold, name=f"{p}return{s}")
        connect(sup, a, qd, name=f"{p}qd_in{s}")
        connect(a, dist, hose, name=f"{p}hose_in{s}")
        connect(coll, b, hose, name=f"{p}hose_out{s}")
        connect(b, ret, qd, name=f"{p}qd_out{s}")
        for j in range(parts.plates):
            pin, pout = f"{p}p{s}_{j}_in", f"{p}p{s}_{j}_out"
            node(pin, elevation_m=z)
            node(pout, elevation_m=z)
            if positions:
                yy = y0 + 0.1 - 0.05 * (j + 1)
                pos[pin] = (x0 + 0.05, yy, z + 0.02)
                pos[pout] = (x0 + 0.15, yy, z + 0.02)
            connect(dist, pin, tube, name=f"{p}tube_in{s}_{j}")
            connect(pin, pout, plate, name=f"{p}gpu{s}_{j}")
            connect(pout, coll, tube, name=f"{p}tube_out{s}_{j}")
    top = f"{p}r{parts.servers - 1}" if reverse else f"{p}r0"
    connect(top, f"{p}cdu_in", parts.riser, name=f"{p}return_riser")


__all__ = ["PIPE_INNER_DIAMETERS_M", "hall", "pipe_size_for", "rack"]
