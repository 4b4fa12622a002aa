"""meshes/coldplate_microchannel.msh: 20-channel copper cold plate on an H100-like package."""

from _common import run

if __name__ == "__main__":
    from rackflow.meshing import microchannel_coldplate

    # Generator defaults (20 channels 1.0 x 3.0 mm, 0.5 mm fins, 50 x 50 mm plate);
    # binary keeps the ~90k-hex file under 10 MB.
    run(microchannel_coldplate, "coldplate_microchannel", binary=True)
