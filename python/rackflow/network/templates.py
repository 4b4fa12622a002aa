"""Network templates: a rack of servers and cold plates, a hall of racks on a facility loop.

Each template is a function of the :class:`~rackflow.network.Network` class (``cls``) so that
``Network.rack(...)`` and ``Network.hall(...)`` build through it and subclasses get their own
type back; this module does not import the builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant
from rackflow.errors import NetworkError
from rackflow.network.edges import default_cold_plate_model

if TYPE_CHECKING:
    from rackflow.network.builder import Network


def rack(
    cls: type[Network],
    servers: int = 8,
    plates_per_server: int = 8,
    *,
    model: ColdPlateModel | None = None,
    power_w: float = 700.0,
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
) -> Network:
    """An N-server x M-plate rack: in-rack CDU and pump at the bottom, vertical supply and
    return manifolds at the rear, per-server hoses with quick disconnects (``qd_in{s}``,
    ``qd_out{s}``) and a tray manifold feeding the plates (``gpu{s}_{j}``) in parallel.
    ``reverse_return`` takes the return out at the top (equal path lengths)."""
    net = cls(coolant, name=f"rack {servers}x{plates_per_server}")
    _add_rack(
        net,
        "",
        servers=servers,
        plates=plates_per_server,
        model=model or default_cold_plate_model(),
        power_w=power_w,
        reverse=reverse_return,
        manifold_d=manifold_diameter_m,
        pitch=server_pitch_m,
        hose_d=hose_diameter_m,
        hose_l=hose_length_m,
        qd_k=qd_k,
        branch_d=branch_diameter_m,
        branch_l=branch_length_m,
        origin=(0.0, 0.0),
    )
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
    power_w: float = 700.0,
    coolant: str | Coolant = "PG25",
    facility_supply_c: float = 32.0,
    cdu_ua_w_k: float = 15_000.0,
    rack_pitch_m: float = 0.6,
    header_diameter_m: float = 0.2,
    reverse_return: bool = False,
) -> Network:
    """A hall of identical racks (as :meth:`rack`, each with an ε-NTU CDU) on one shared
    facility loop: plant (chiller at ``facility_supply_c``), facility pump, supply and
    return headers along the row, and each rack CDU's primary side between them."""
    net = cls(coolant, name=f"hall of {racks} racks")
    model = model or default_cold_plate_model()
    n_plates = servers * plates_per_server
    for r in range(racks):
        p = f"r{r}/"
        x0 = r * rack_pitch_m
        _add_rack(
            net,
            p,
            servers=servers,
            plates=plates_per_server,
            model=model,
            power_w=power_w,
            reverse=reverse_return,
            manifold_d=0.035,
            pitch=0.178,
            hose_d=0.0127,
            hose_l=1.0,
            qd_k=2.0,
            branch_d=0.0064,
            branch_l=0.4,
            origin=(x0, 0.0),
        )
        net.pump(f"{p}cdu_out", f"{p}s0", curve_lpm_pa=_rack_pump_curve(n_plates), name=f"{p}pump")
        hx = net.loss(f"fs{r}", f"fr{r}", k=4.0, diameter_m=0.05, name=f"{p}cdu_primary")
        net.cdu(f"{p}cdu_in", f"{p}cdu_out", ua_w_k=cdu_ua_w_k, facility_edge=hx, name=f"{p}cdu")
        for node, y in ((f"fs{r}", -1.0), (f"fr{r}", -1.3)):
            net.positions[node] = (x0, y, -0.5)
        if r > 0:
            net.pipe(
                f"fs{r - 1}",
                f"fs{r}",
                diameter_m=header_diameter_m,
                length_m=rack_pitch_m,
                name=f"fsup{r}",
            )
            net.pipe(
                f"fr{r}",
                f"fr{r - 1}",
                diameter_m=header_diameter_m,
                length_m=rack_pitch_m,
                name=f"fret{r}",
            )
    flow = racks * n_plates * 1.5  # L/min at the plant, ~1.5 L/min per kW-class GPU
    net.cdu("fr0", "plant_out", supply_c=facility_supply_c, approach_k=0.0, name="plant")
    net.pump(
        "plant_out",
        "fs0",
        curve_lpm_pa=[
            (0, 250e3),
            (0.5 * flow, 230e3),
            (flow, 180e3),
            (1.5 * flow, 90e3),
            (2 * flow, 0),
        ],
        name="facility_pump",
    )
    net.positions["plant_out"] = (-1.0, -1.15, -0.5)
    return net


def _rack_pump_curve(n_plates: int) -> list[tuple[float, float]]:
    """A variable-speed CDU pump sized for ~1.3 L/min per plate (~25-40 kPa)."""
    q = 1.3 * n_plates
    return [(0.0, 60e3), (0.5 * q, 55e3), (q, 40e3), (1.5 * q, 18e3), (2.0 * q, 0.0)]


def _add_rack(
    net: Network,
    p: str,
    *,
    servers: int,
    plates: int,
    model: ColdPlateModel,
    power_w: float,
    reverse: bool,
    manifold_d: float,
    pitch: float,
    hose_d: float,
    hose_l: float,
    qd_k: float,
    branch_d: float,
    branch_l: float,
    origin: tuple[float, float],
) -> None:
    if servers < 1 or plates < 1:
        raise NetworkError(f"rack: servers and plates_per_server must be >= 1, got {servers}, {plates}")
    x0, y0 = origin
    z0 = 0.3  # the CDU sits at the bottom of the rack
    pos = net.positions
    pos[f"{p}cdu_in"] = (x0 + 0.15, y0 + 0.5, 0.05)
    pos[f"{p}cdu_out"] = (x0 + 0.05, y0 + 0.5, 0.05)
    net.node(f"{p}cdu_in", elevation_m=0.05)
    net.node(f"{p}cdu_out", elevation_m=0.05)
    for s in range(servers):
        z = z0 + s * pitch
        for nm, xx in ((f"{p}s{s}", 0.05), (f"{p}r{s}", 0.15)):
            net.node(nm, elevation_m=z, position_m=(x0 + xx, y0 + 0.5, z))
        if s > 0:
            net.pipe(
                f"{p}s{s - 1}",
                f"{p}s{s}",
                diameter_m=manifold_d,
                length_m=pitch,
                name=f"{p}supply{s}",
            )
            if reverse:
                net.pipe(
                    f"{p}r{s - 1}",
                    f"{p}r{s}",
                    diameter_m=manifold_d,
                    length_m=pitch,
                    name=f"{p}return{s}",
                )
            else:
                net.pipe(
                    f"{p}r{s}",
                    f"{p}r{s - 1}",
                    diameter_m=manifold_d,
                    length_m=pitch,
                    name=f"{p}return{s}",
                )
        a, b, dist, coll = f"{p}srv{s}_a", f"{p}srv{s}_b", f"{p}srv{s}_in", f"{p}srv{s}_out"
        for nm, xx, yy in ((a, 0.05, 0.45), (b, 0.15, 0.45), (dist, 0.05, 0.1), (coll, 0.15, 0.1)):
            net.node(nm, elevation_m=z, position_m=(x0 + xx, y0 + yy, z))
        net.loss(f"{p}s{s}", a, k=qd_k, diameter_m=hose_d, name=f"{p}qd_in{s}")
        net.pipe(a, dist, diameter_m=hose_d, length_m=hose_l, name=f"{p}hose_in{s}")
        net.pipe(coll, b, diameter_m=hose_d, length_m=hose_l, name=f"{p}hose_out{s}")
        net.loss(b, f"{p}r{s}", k=qd_k, diameter_m=hose_d, name=f"{p}qd_out{s}")
        for j in range(plates):
            pin, pout = f"{p}p{s}_{j}_in", f"{p}p{s}_{j}_out"
            yy = y0 + 0.1 - 0.05 * (j + 1)
            net.node(pin, elevation_m=z, position_m=(x0 + 0.05, yy, z + 0.02))
            net.node(pout, elevation_m=z, position_m=(x0 + 0.15, yy, z + 0.02))
            net.pipe(dist, pin, diameter_m=branch_d, length_m=branch_l, name=f"{p}tube_in{s}_{j}")
            net.cold_plate(pin, pout, model=model, power_w=power_w, name=f"{p}gpu{s}_{j}")
            net.pipe(pout, coll, diameter_m=branch_d, length_m=branch_l, name=f"{p}tube_out{s}_{j}")
    top = f"{p}r{servers - 1}" if reverse else f"{p}r0"
    net.pipe(
        top,
        f"{p}cdu_in",
        diameter_m=manifold_d,
        length_m=0.5 + (pitch * servers if reverse else 0.3),
        name=f"{p}return_riser",
    )


__all__ = ["hall", "rack"]
