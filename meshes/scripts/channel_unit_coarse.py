"""meshes/channel_unit_coarse.msh: benchmark channel unit, coarse level (15,360 hexahedra)."""

from _common import run

if __name__ == "__main__":
    from rackflow.meshing import CHANNEL_UNIT_LEVELS, channel_unit

    # The medium (122,880) and fine (983,040) levels are generated on demand:
    # channel_unit(path, **CHANNEL_UNIT_LEVELS["fine"]).
    run(
        channel_unit,
        "channel_unit_coarse",
        binary=True,
        **CHANNEL_UNIT_LEVELS["coarse"],
    )
